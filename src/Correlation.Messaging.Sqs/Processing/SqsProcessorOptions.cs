using System.ComponentModel.DataAnnotations;
using Correlation.Messaging.Sqs.Propagation.Internal;

namespace Correlation.Messaging.Sqs;

/// <summary>
/// Options of <see cref="SqsMessageProcessor"/>, validated when the processor is created (or, registered with
/// <c>AddSqsProcessor</c>, when the host starts).
/// </summary>
public sealed class SqsProcessorOptions : IValidatableObject
{
    /// <summary>Gets or sets the queue to consume: its URL, or its name (resolved with <c>GetQueueUrl</c> on start, waiting while the queue does not exist yet).</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    [Required]
    public string? QueueUrl { get; set; }

    /// <summary>Gets or sets the most messages one receive asks for (1 to 10); never more than there are free handler slots.</summary>
    /// <value>The default is 10.</value>
    [Range(1, 10)]
    public int MaxNumberOfMessages { get; set; } = 10;

    /// <summary>Gets or sets the long-poll wait time of one receive, in seconds (0 to 20).</summary>
    /// <value>The default is 20.</value>
    [Range(0, 20)]
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>
    /// Gets or sets the visibility timeout asked for on receive and renewed by the heartbeat, in seconds (0 to 43,200).
    /// </summary>
    /// <value>The default is <see langword="null"/>: the queue's own <c>VisibilityTimeout</c>, read on start.</value>
    [Range(0, 43_200)]
    public int? VisibilityTimeout { get; set; }

    /// <summary>
    /// Gets or sets how often the visibility of a message whose handler is still running is extended by
    /// <see cref="VisibilityTimeout"/>, so that a long handler does not see its message delivered twice.
    /// </summary>
    /// <value>The default is <see langword="null"/>: a third of the visibility timeout. <see cref="TimeSpan.Zero"/> turns the heartbeat off.</value>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Gets or sets how many messages are handled at once (at least 1).</summary>
    /// <value>The default is 1.</value>
    [Range(1, int.MaxValue)]
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>
    /// Gets or sets the visibility timeout, in seconds (0 to 43,200), given to a message whose handler failed. <c>0</c>
    /// makes it visible again at once.
    /// </summary>
    /// <value>The default is <see langword="null"/>: leave the message until its current visibility timeout expires.</value>
    [Range(0, 43_200)]
    public int? FailureVisibilityTimeout { get; set; }

    /// <summary>
    /// Gets the message attribute names to receive in addition to the correlation attributes, which are always received:
    /// names SQS accepts, <c>All</c>, <c>.*</c> or <c>prefix.*</c>.
    /// </summary>
    /// <value>The default is empty.</value>
    public IList<string> MessageAttributeNames { get; } = [];

    /// <summary>Gets the system attribute names to receive, for example <c>ApproximateReceiveCount</c>.</summary>
    /// <value>The default is empty.</value>
    public IList<string> MessageSystemAttributeNames { get; } = [];

    /// <summary>Gets or sets the pause after a failed receive.</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan ReceiveErrorDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        foreach (var name in MessageAttributeNames)
        {
            var plain = name is not null && name.Length > 2 && name.EndsWith(".*", StringComparison.Ordinal) ? name[..^2] : name;
            if (name is not ("All" or ".*") && !SqsAttributeNames.IsValid(plain))
            {
                yield return new ValidationResult(
                    $"'{name}' is not a message attribute name SQS accepts (1-256 of A-Z a-z 0-9 _ - ., no leading, trailing or double period, no AWS. or Amazon. prefix), nor All, .* or prefix.*.",
                    [nameof(MessageAttributeNames)]);
            }
        }

        if (HeartbeatInterval is { } heartbeat && (heartbeat < TimeSpan.Zero || heartbeat > TimeSpan.FromHours(12)))
        {
            yield return new ValidationResult("HeartbeatInterval must be between 0 and 12 hours.", [nameof(HeartbeatInterval)]);
        }

        if (ReceiveErrorDelay < TimeSpan.Zero)
        {
            yield return new ValidationResult("ReceiveErrorDelay must not be negative.", [nameof(ReceiveErrorDelay)]);
        }
    }
}
