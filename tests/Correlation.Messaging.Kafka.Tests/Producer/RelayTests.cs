using Confluent.Kafka;
using Correlation.Messaging.Kafka.Tests.Fakes;
using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.Kafka.Tests.Producer;

/// <summary>Defect 8 of issue 13 on the Kafka producer: outside any scope, a valid existing ID is kept (outbox relays).</summary>
public sealed class RelayTests
{
    private readonly InterfaceRecorder _recorder;
    private readonly IProducer<string, string> _producer;

    public RelayTests()
    {
        (var inner, _recorder) = InterfaceRecorder.Create<IProducer<string, string>>();
        _producer = inner.WithCorrelation(CorrelationPropagator.Default);
    }

    private Headers Sent() => ((Message<string, string>)_recorder.Calls.Single(c => c.Method == "Produce").Args[1]!).Headers;

    [Fact]
    public void Produce_OutsideScopeWithValidExistingIds_KeepsThem()
    {
        _producer.Produce("t", new Message<string, string> { Value = "v", Headers = Records.Headers(("X-Correlation-ID", "relay-1"), ("X-Causation-ID", "cause-1")) });

        Sent().Text(CorrelationHeaders.CorrelationId).ShouldBe("relay-1");
        Sent().Text(CorrelationHeaders.CausationId).ShouldBe("cause-1");
    }

    [Fact]
    public void Produce_OutsideScopeWithCaseVariantExistingId_KeptUnderTheCanonicalName()
    {
        _producer.Produce("t", new Message<string, string> { Value = "v", Headers = Records.Headers(("x-correlation-id", "relay-2")) });

        var sent = Sent();
        sent.CountOf(CorrelationHeaders.CorrelationId).ShouldBe(1);
        sent.Single(h => h.Key.Equals(CorrelationHeaders.CorrelationId, StringComparison.OrdinalIgnoreCase)).Key.ShouldBe(CorrelationHeaders.CorrelationId);
        sent.Text(CorrelationHeaders.CorrelationId).ShouldBe("relay-2");
    }

    [Fact]
    public void Produce_OutsideScopeWithInvalidExistingId_GeneratesNewId()
    {
        _producer.Produce("t", new Message<string, string> { Value = "v", Headers = Records.Headers(("X-Correlation-ID", "bad value")) });

        Guid.TryParse(Sent().Text(CorrelationHeaders.CorrelationId), out _).ShouldBeTrue();
    }

    [Fact]
    public void Produce_InsideScope_AmbientIdReplacesExistingOne()
    {
        using (CorrelationContext.BeginScope(new CorrelationContext("ambient-1")))
        {
            _producer.Produce("t", new Message<string, string> { Value = "v", Headers = Records.Headers(("X-Correlation-ID", "relay-3"), ("X-Causation-ID", "stale")) });
        }

        Sent().Text(CorrelationHeaders.CorrelationId).ShouldBe("ambient-1");
        Sent().CountOf(CorrelationHeaders.CausationId).ShouldBe(0);
    }
}
