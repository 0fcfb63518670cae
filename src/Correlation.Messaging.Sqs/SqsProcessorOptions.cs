namespace Correlation.Messaging.Sqs;

/// <summary>
/// Options of <see cref="SqsMessageProcessor"/>.
/// </summary>
public sealed class SqsProcessorOptions
{
    /// <summary>Gets or sets the queue URL to consume.</summary>
    /// <value>The default is <see langword="null"/>; required.</value>
    public string? QueueUrl { get; set; }

    /// <summary>Gets or sets how many messages one receive asks for (1 to 10).</summary>
    /// <value>The default is 10.</value>
    public int MaxNumberOfMessages { get; set; } = 10;

    /// <summary>Gets or sets the long-poll wait time of one receive, in seconds (0 to 20).</summary>
    /// <value>The default is 20.</value>
    public int WaitTimeSeconds { get; set; } = 20;

    /// <summary>Gets or sets the visibility timeout asked for on receive, in seconds.</summary>
    /// <value>The default is <see langword="null"/>: the queue's.</value>
    public int? VisibilityTimeout { get; set; }

    /// <summary>Gets or sets how many messages are handled at once.</summary>
    /// <value>The default is 1.</value>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>
    /// Gets or sets the visibility timeout, in seconds, given to a message whose handler failed. <c>0</c> makes it
    /// visible again at once.
    /// </summary>
    /// <value>The default is <see langword="null"/>: leave the message until its current visibility timeout expires.</value>
    public int? FailureVisibilityTimeout { get; set; }

    /// <summary>Gets the message attribute names to receive in addition to the correlation attributes, which are always received.</summary>
    /// <value>The default is empty.</value>
    public IList<string> MessageAttributeNames { get; } = [];

    /// <summary>Gets the system attribute names to receive, for example <c>ApproximateReceiveCount</c>.</summary>
    /// <value>The default is empty.</value>
    public IList<string> MessageSystemAttributeNames { get; } = [];

    /// <summary>Gets or sets the pause after a failed receive.</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan ReceiveErrorDelay { get; set; } = TimeSpan.FromSeconds(1);
}
