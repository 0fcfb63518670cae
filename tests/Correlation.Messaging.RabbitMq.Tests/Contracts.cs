using MassTransit;

// Message contracts of the broker tests. MassTransit names their exchanges "Correlation.Messaging.RabbitMq.Tests:<Type>";
// the fixture deletes them at the end.
namespace Correlation.Messaging.RabbitMq.Tests;

public sealed record Ping(string Text);

public sealed record DownstreamEvent(string Text);

public sealed record DownstreamCommand(string Text);

public sealed record FanOutItem(int Index);

public sealed record StartFanOut(int Count);

public sealed record Question(string Text);

public sealed record Answer(string Text, string? SeenCorrelationId, string? SeenMessageId);

public sealed record Flaky(string Text);

public sealed record Probe(string Case);

public sealed record Numbered(int Index, string ExpectedId);

public sealed record Wire(string Text);

public sealed record Owned(Guid CorrelationId, string Text) : CorrelatedBy<Guid>;

/// <summary>What a handler saw: the ambient context and the headers of the message it handled.</summary>
public sealed record Seen(
    string Text,
    string? CorrelationId,
    string? CausationId,
    string? MessageId,
    CorrelationIdSource? Source,
    Guid? ConsumedMessageId,
    string? HeaderCorrelationId,
    string? HeaderCausationId)
{
    public static Seen From(ConsumeContext context, string text)
    {
        var ambient = CorrelationContext.Current;
        return new Seen(
            text,
            ambient?.CorrelationId,
            ambient?.CausationId,
            ambient?.MessageId,
            ambient?.Source,
            context.MessageId,
            context.Headers.Get<string>("X-Correlation-ID"),
            context.Headers.Get<string>("X-Causation-ID"));
    }
}
