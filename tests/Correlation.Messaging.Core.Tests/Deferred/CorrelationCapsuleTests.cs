using System.Diagnostics;
using System.Diagnostics.Metrics;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Tests.Deferred;

public sealed class CorrelationCapsuleTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Capture_InsideMessageHandling_StoresFlowAndHandledMessageAsCausation()
    {
        using (CorrelationContext.BeginScope(new CorrelationContext("flow-1", causationId: "m0", messageId: "m1")))
        {
            CorrelationContext.Capture().ToString().ShouldBe("v1;flow-1;m1;");
        }
    }

    [Fact]
    public void Capture_WithoutHandledMessage_KeepsAmbientCausation()
    {
        using (CorrelationContext.BeginScope(new CorrelationContext("flow-1", causationId: "m0")))
        {
            CorrelationContext.Capture().ToString().ShouldBe("v1;flow-1;m0;");
        }
    }

    [Fact]
    public void Capture_OutsideAnyFlow_ReturnsEmpty()
    {
        CorrelationContext.Current.ShouldBeNull();
        var capsule = CorrelationContext.Capture();
        capsule.ShouldBeSameAs(CorrelationCapsule.Empty);
        capsule.IsEmpty.ShouldBeTrue();
        capsule.ToString().ShouldBe(string.Empty);
    }

    [Fact]
    public void Capture_WithCurrentActivity_StoresItsTraceParent()
    {
        using var activity = new Activity("capture").SetIdFormat(ActivityIdFormat.W3C).Start();
        using (CorrelationContext.BeginScope(new CorrelationContext("flow-1", messageId: "m1")))
        {
            CorrelationContext.Capture().ToString().ShouldBe($"v1;flow-1;m1;{activity.Id}");
        }
    }

    [Fact]
    public void Restore_StoredCapsule_RunsWorkInTheCapturedFlow()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var propagator = new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true }, factory);
        var capsule = CorrelationCapsule.Parse("v1;flow-1;m1;" + TraceParent);

        using (capsule.Restore(propagator, workId: "job-7"))
        {
            var current = CorrelationContext.Current!;
            current.CorrelationId.ShouldBe("flow-1");
            current.CausationId.ShouldBe("m1");
            current.MessageId.ShouldBe("job-7");
            TraceContextPropagation.TryGetOutgoing(out var traceParent, out _).ShouldBeTrue();
            traceParent.ShouldBe(TraceParent);
            factory.CreateLogger("job").LogInformation("working");
        }

        CorrelationContext.Current.ShouldBeNull();
        TraceContextPropagation.TryGetOutgoing(out _, out _).ShouldBeFalse();
        var line = logs.Logs.Single(l => l.Message == "working");
        line.CorrelationId.ShouldBe("flow-1");
        line.Field("causation_id").ShouldBe("m1");
        line.Field("message_id").ShouldBe("job-7");
    }

    [Fact]
    public void Restore_TraceContextOptionOff_DoesNotForwardTheCapturedTraceParent()
    {
        using var scope = CorrelationCapsule.Parse("v1;flow-1;m1;" + TraceParent).Restore(CorrelationPropagator.Default);

        CorrelationContext.Current!.CorrelationId.ShouldBe("flow-1");
        TraceContextPropagation.TryGetOutgoing(out _, out _).ShouldBeFalse();
    }

    [Fact]
    public void CaptureRestore_InMemory_RoundTripsWithoutText()
    {
        CorrelationCapsule capsule;
        using (CorrelationContext.BeginScope(new CorrelationContext("flow-2", messageId: "m9")))
        {
            capsule = CorrelationContext.Capture();
        }

        using (capsule.Restore(CorrelationPropagator.Default))
        {
            CorrelationContext.Current!.CorrelationId.ShouldBe("flow-2");
            CorrelationContext.Current!.CausationId.ShouldBe("m9");
        }
    }

    [Fact]
    public void Restore_Empty_StartsANewFlowEachTime()
    {
        var ids = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            using var scope = CorrelationCapsule.Empty.Restore(CorrelationPropagator.Default);
            scope.Context!.Source.ShouldBe(CorrelationIdSource.Generated);
            scope.Context.CausationId.ShouldBeNull();
            ids.Add(scope.Context.CorrelationId);
        }

        ids.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData("a;b%c", "v1;a%3Bb%25c;m%3B1;")]
    [InlineData("plain", "v1;plain;m%3B1;")]
    public void ToStringParse_SeparatorAndEscapeInIds_RoundTrip(string correlationId, string expectedText)
    {
        var options = new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Trust };
        string text;
        using (CorrelationContext.BeginScope(new CorrelationContext(correlationId, messageId: "m;1")))
        {
            text = CorrelationContext.Capture().ToString();
        }

        text.ShouldBe(expectedText);
        using var scope = CorrelationCapsule.Parse(text).Restore(new CorrelationPropagator(options));
        scope.Context!.CorrelationId.ShouldBe(correlationId);
    }

    [Theory]
    [InlineData("v1;flow-1;m1", CorrelationCapsuleProblem.Truncated)]
    [InlineData("v1;flow-1", CorrelationCapsuleProblem.Truncated)]
    [InlineData("v1;;m1;", CorrelationCapsuleProblem.Truncated)]
    [InlineData("v1;flow-1;m1;;1 svc 1764505200000;extra", CorrelationCapsuleProblem.Truncated)]
    [InlineData("v0;flow-1;m1;", CorrelationCapsuleProblem.UnsupportedVersion)]
    [InlineData("v2;flow-1;m1;;", CorrelationCapsuleProblem.UnsupportedVersion)]
    [InlineData("flow-1", CorrelationCapsuleProblem.Malformed)]
    [InlineData("flow-1;m1", CorrelationCapsuleProblem.Malformed)]
    [InlineData("v1;flow%2-1;m1;", CorrelationCapsuleProblem.BadEscape)]
    [InlineData("v1;flow-1%;m1;", CorrelationCapsuleProblem.BadEscape)]
    public void Restore_UnreadableCapsule_RunsUnderNewIdWithLogAndMetric(string text, CorrelationCapsuleProblem problem)
    {
        AssertUnreadable(text, problem);
    }

    [Fact]
    public void Restore_OversizedCapsule_IsNotParsedAndRunsUnderNewId()
    {
        AssertUnreadable("v1;" + new string('a', CorrelationCapsule.MaxTextLength) + ";m1;", CorrelationCapsuleProblem.TooLong);
    }

    [Theory]
    [InlineData(InvalidCorrelationIdPolicy.Regenerate, "InvalidCorrelationIdReplaced")]
    [InlineData(InvalidCorrelationIdPolicy.Trust, "InvalidCorrelationIdReplaced")]
    [InlineData(InvalidCorrelationIdPolicy.Reject, "CorrelationCapsuleRejected")]
    public void Restore_TamperedCorrelationId_GetsThePolicyAndNeverThrows(InvalidCorrelationIdPolicy policy, string expectedEvent)
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = policy }, factory);

        using var scope = CorrelationCapsule.Parse("v1;flow-1\r\nforged=1;m1;").Restore(propagator, "job-1");

        scope.Context!.CorrelationId.ShouldNotContain("flow-1");
        scope.Context.Source.ShouldBe(CorrelationIdSource.Replaced);
        scope.Context.MessageId.ShouldBe("job-1");
        logs.WithEventName(expectedEvent).ShouldHaveSingleItem();
        logs.Logs.ShouldAllBe(l => !l.Message.Contains('\n'));
    }

    [Fact]
    public void Restore_OverlongCorrelationId_GetsThePolicy()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { MaxLength = 16 });
        using var scope = CorrelationCapsule.Parse("v1;" + new string('a', 17) + ";m1;").Restore(propagator);
        scope.Context!.Source.ShouldBe(CorrelationIdSource.Replaced);
    }

    [Fact]
    public void Restore_TamperedCausationAndTraceParent_AreIgnoredAndTheFlowIsKept()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { PropagateTraceContext = true });
        using var scope = CorrelationCapsule.Parse("v1;flow-1;m1\u202E;00-zz-forged").Restore(propagator);

        scope.Context!.CorrelationId.ShouldBe("flow-1");
        scope.Context.CausationId.ShouldBeNull();
        TraceContextPropagation.TryGetOutgoing(out _, out _).ShouldBeFalse();
    }

    private static readonly CorrelationHeaderGetter<Dictionary<string, string>> DictionaryGetter =
        static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing;

    [Fact]
    public void CaptureRestore_InsideAHopOfAFlow_WorkIsOneHopDeeperWithTheFlowsOriginAndStart()
    {
        // A message at depth 2 of a flow that began at the gateway; the handler schedules work.
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "fulfilment" });
        var inbound = new Dictionary<string, string>
        {
            [CorrelationHeaders.CorrelationId] = "flow-deep",
            [CorrelationHeaders.FlowMetadata] = "2 gateway 1764505200000 flow-before",
        };
        string stored;
        using (propagator.BeginConsumeScope(inbound, DictionaryGetter, "msg-2"))
        {
            stored = CorrelationContext.Capture().ToString();
        }

        // The oracle is the wire format's text, written out by hand.
        stored.ShouldBe("v1;flow-deep;msg-2;;3 gateway 1764505200000 flow-before");
        using var scope = CorrelationCapsule.Parse(stored).Restore(propagator, workId: "job-1");
        var work = scope.Context!;
        work.CorrelationId.ShouldBe("flow-deep");
        work.CausationId.ShouldBe("msg-2");
        work.Depth.ShouldBe(3);
        work.Origin.ShouldBe("gateway");
        work.StartedAt.ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds(1764505200000));
        work.PreviousCorrelationId.ShouldBe("flow-before");
    }

    [Fact]
    public void Restore_CapsuleWithoutFlowField_WorkStartsItsOwnFlowAtDepthZero()
    {
        // The twin: a capsule of an earlier version (four fields) keeps the ID but cannot keep the flow's place.
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "fulfilment" });
        using var scope = CorrelationCapsule.Parse("v1;flow-deep;msg-2;").Restore(propagator, workId: "job-1");

        scope.Context!.CorrelationId.ShouldBe("flow-deep");
        scope.Context.Depth.ShouldBe(0);
        scope.Context.Origin.ShouldBe("fulfilment");
    }

    [Fact]
    public void Restore_TamperedFlowField_KeepsTheIdRestartsTheFlowAndLogs()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "fulfilment" }, factory);

        using var scope = CorrelationCapsule.Parse("v1;flow-deep;msg-2;;three gateway\u001b yesterday").Restore(propagator, workId: "job-1");

        scope.Context!.CorrelationId.ShouldBe("flow-deep");
        scope.Context.Depth.ShouldBe(0);
        logs.Logs.ShouldContain(l => l.Level == LogLevel.Warning && l.Message.Contains(CorrelationHeaders.FlowMetadata, StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_StoredFlowBeyondMaxDepth_WorkStillRunsUnderANewId()
    {
        // A job that re-enqueues itself forever is a loop: the guard applies to stored work as to messages, and deferred
        // work has no sender to refuse, so it runs, under a new ID.
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "fulfilment", MaxDepth = 4 });

        using var scope = CorrelationCapsule.Parse("v1;flow-loop;msg-9;;5 gateway 1764505200000").Restore(propagator, workId: "job-9");

        scope.Context!.CorrelationId.ShouldNotBe("flow-loop");
        scope.Context.Depth.ShouldBe(0);
    }

    private static void AssertUnreadable(string text, CorrelationCapsuleProblem problem)
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject }, factory);
        var problems = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Correlation.Messaging" && instrument.Name == "correlation.capsule.invalid")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            lock (problems)
            {
                problems.Add((string)tags[0].Value!);
            }
        });
        listener.Start();

        var capsule = CorrelationCapsule.Parse(text);
        capsule.IsEmpty.ShouldBeFalse();
        using (var scope = capsule.Restore(propagator, "job-1"))
        {
            scope.Context!.CorrelationId.ShouldNotBe("flow-1");
            scope.Context.Source.ShouldBe(CorrelationIdSource.Replaced);
            scope.Context.CausationId.ShouldBeNull();
            scope.Context.MessageId.ShouldBe("job-1");
        }

        var line = logs.WithEventName("CorrelationCapsuleUnreadable").ShouldHaveSingleItem();
        line.Level.ShouldBe(LogLevel.Warning);
        line.Message.ShouldContain($"({problem})");
        line.Message.Length.ShouldBeLessThan(400);
        lock (problems)
        {
            problems.ShouldContain(problem.ToString());
        }
    }
}
