using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Fakes;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Kafka.Tests.Consumer;

public sealed class BeginCorrelationScopeTests
{
    private static readonly CorrelationPropagator Propagator = new(new CorrelationOptions());

    [Fact]
    public void BeginCorrelationScope_ValidHeaders_RestoresAllIdsAndClearsOnDispose()
    {
        var result = Records.Consumed(Records.Headers(
            (CorrelationHeaders.CorrelationId, "flow-1"), (CorrelationHeaders.CausationId, "cause-1"), (CorrelationHeaders.MessageId, "msg-1")));

        using (var scope = result.BeginCorrelationScope(Propagator))
        {
            var current = CorrelationContext.Current.ShouldNotBeNull();
            current.ShouldBeSameAs(scope.Context);
            current.CorrelationId.ShouldBe("flow-1");
            current.CausationId.ShouldBe("cause-1");
            current.MessageId.ShouldBe("msg-1");
            current.Source.ShouldBe(CorrelationIdSource.Inbound);
        }

        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public void BeginCorrelationScope_NoMessageIdHeader_UsesTopicPartitionOffset()
    {
        var result = Records.Consumed(Records.Headers((CorrelationHeaders.CorrelationId, "flow-1")), topic: "orders.v1", partition: 3, offset: 1234);

        using var scope = result.BeginCorrelationScope(Propagator);

        scope.Context!.MessageId.ShouldBe("orders.v1:3:1234");
    }

    [Fact]
    public void BeginCorrelationScope_InvalidMessageIdHeader_UsesTopicPartitionOffset()
    {
        var result = Records.Consumed(Records.Headers((CorrelationHeaders.CorrelationId, "flow-1"), (CorrelationHeaders.MessageId, "bad\r\nid")));

        using var scope = result.BeginCorrelationScope(Propagator);

        scope.Context!.MessageId.ShouldBe("orders:2:41");
    }

    [Fact]
    public void BeginCorrelationScope_NullHeadersCollection_GeneratesId()
    {
        using var scope = Records.Consumed(headers: null).BeginCorrelationScope(Propagator);

        scope.Context!.Source.ShouldBe(CorrelationIdSource.Generated);
    }

    [Fact]
    public void BeginCorrelationScope_OpensLoggingScopeWithIds()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var logger = factory.CreateLogger("handler");
        var result = Records.Consumed(Records.Headers((CorrelationHeaders.CorrelationId, "flow-log"), (CorrelationHeaders.MessageId, "m-log")));

        using (result.BeginCorrelationScope(propagator))
        {
            logger.LogInformation("handling");
        }

        logger.LogInformation("after");
        var handling = logs.Logs.Single(l => l.Message == "handling");
        handling.CorrelationId.ShouldBe("flow-log");
        handling.Field("message_id").ShouldBe("m-log");
        logs.Logs.Single(l => l.Message == "after").CorrelationId.ShouldBeNull();
    }

    [Fact]
    public void BeginCorrelationScope_RepeatedExactHeader_LastWins()
    {
        var result = Records.Consumed(Records.Headers((CorrelationHeaders.CorrelationId, "first"), ("x-correlation-id", "variant"), (CorrelationHeaders.CorrelationId, "last")));

        using var scope = result.BeginCorrelationScope(Propagator);

        scope.Context!.CorrelationId.ShouldBe("last");
    }

    [Fact]
    public void BeginCorrelationScope_CaseVariantsOnly_LastVariantWins()
    {
        var result = Records.Consumed(Records.Headers(("x-correlation-id", "first"), ("X-CORRELATION-ID", "last")));

        using var scope = result.BeginCorrelationScope(Propagator);

        scope.Context!.CorrelationId.ShouldBe("last");
    }

    [Theory]
    [InlineData(new byte[] { 0x66, 0xC3, 0x28 }, CorrelationIdProblem.InvalidUtf8)]
    [InlineData(new byte[] { 0x61, 0x0D, 0x0A, 0x62 }, CorrelationIdProblem.UnsafeCharacter)]
    [InlineData(new byte[0], CorrelationIdProblem.Empty)]
    public void BeginCorrelationScope_RejectPolicy_Throws(byte[] value, CorrelationIdProblem problem)
    {
        var reject = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject });
        var result = Records.Consumed(Records.RawHeaders((CorrelationHeaders.CorrelationId, value)));

        Should.Throw<CorrelationIdRejectedException>(() => result.BeginCorrelationScope(reject)).Problem.ShouldBe(problem);
        CorrelationContext.Current.ShouldBeNull();
    }

    [Fact]
    public void BeginCorrelationScope_NullArguments_Throw()
    {
        Should.Throw<ArgumentNullException>(() => ((ConsumeResult<string, string>)null!).BeginCorrelationScope(Propagator));
        Should.Throw<ArgumentNullException>(() => Records.Consumed(null).BeginCorrelationScope(null!));
    }
}
