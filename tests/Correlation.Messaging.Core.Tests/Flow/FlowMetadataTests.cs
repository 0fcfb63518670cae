using System.Diagnostics.Metrics;
using System.Text;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Correlation.Messaging.Tests.Flow;

public sealed class FlowMetadataTests
{
    private static readonly CorrelationHeaderSetter<Dictionary<string, string>> TextSetter = static (c, n, v) => c[n] = v.Text;
    private static readonly CorrelationHeaderGetter<Dictionary<string, string>> TextGetter =
        static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing;
    private static readonly CorrelationHeaderGetter<Dictionary<string, byte[]>> ByteGetter =
        static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromUtf8(v) : InboundHeaderValue.Missing;

    [Fact]
    public void Inject_AtTheEdge_WritesDepthOneOriginAndStart()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "orders-api" });
        var carrier = new Dictionary<string, string>();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        propagator.Inject(propagator.GetOutgoingContext(), carrier, TextSetter);

        var flow = FlowOracle.Parse(carrier["X-Correlation-Flow"]).ShouldNotBeNull(carrier["X-Correlation-Flow"]);
        flow.Depth.ShouldBe(1);
        flow.Origin.ShouldBe("orders-api");
        flow.StartUnixMilliseconds.ShouldBeInRange(before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        flow.PreviousCorrelationId.ShouldBeNull();
    }

    [Fact]
    public void ExtractInject_ThreeHops_DepthIncrementsOriginAndStartUnchanged()
    {
        var edge = new CorrelationPropagator(new CorrelationOptions { ServiceName = "edge" });
        var carrier = new Dictionary<string, string>();
        edge.Inject(edge.GetOutgoingContext(), carrier, TextSetter);
        var first = FlowOracle.Parse(carrier["X-Correlation-Flow"])!;

        for (var hop = 1; hop <= 3; hop++)
        {
            var service = new CorrelationPropagator(new CorrelationOptions { ServiceName = "service-" + hop });
            using var scope = service.BeginScope(service.Extract(carrier, TextGetter), "m" + hop);
            CorrelationContext.Current!.Depth.ShouldBe(hop);
            CorrelationContext.Current.Origin.ShouldBe("edge");
            CorrelationContext.Current.StartedAt.ToUnixTimeMilliseconds().ShouldBe(first.StartUnixMilliseconds);
            carrier = [];
            service.Inject(CorrelationContext.Current, carrier, TextSetter);
            FlowOracle.Parse(carrier["X-Correlation-Flow"]).ShouldBe(first with { Depth = hop + 1 });
        }
    }

    [Fact]
    public void Extract_FromBytes_ReadsTheSameFlowAsFromText()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var bytes = new Dictionary<string, byte[]>
        {
            ["X-Correlation-ID"] = "flow-b"u8.ToArray(),
            ["X-Correlation-Flow"] = "7 billing 1764505103123 older-flow"u8.ToArray(),
        };

        using var scope = propagator.BeginScope(propagator.Extract(bytes, ByteGetter), "m");

        var context = CorrelationContext.Current!;
        (context.Depth, context.Origin, context.StartedAt.ToUnixTimeMilliseconds(), context.PreviousCorrelationId)
            .ShouldBe((7, "billing", 1764505103123L, "older-flow"));
    }

    [Fact]
    public void Extract_NoFlowHeader_FlowStartsHereAtDepthZero()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "first-stop" });
        using var scope = propagator.BeginScope(propagator.Extract(new Dictionary<string, string> { ["X-Correlation-ID"] = "f" }, TextGetter), "m");

        CorrelationContext.Current!.Depth.ShouldBe(0);
        CorrelationContext.Current.Origin.ShouldBe("first-stop");
    }

    public static TheoryData<string> MalformedKinds() => [.. FlowOracle.Malformed.Select(m => m.Kind)];

    [Theory]
    [MemberData(nameof(MalformedKinds))]
    public void Extract_MalformedFlow_Regenerate_RestartsFlowKeepsIdAndWarns(string kind)
    {
        var bytes = FlowOracle.Malformed.Single(m => m.Kind == kind).Bytes;
        FlowOracle.Parse(bytes).ShouldBeNull("the oracle itself must call the value malformed");
        var logs = new CapturingLoggerProvider();
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "here" }, Factory(logs));

        var extracted = propagator.Extract(new Dictionary<string, byte[]> { ["X-Correlation-ID"] = "kept-id"u8.ToArray(), ["X-Correlation-Flow"] = bytes }, ByteGetter);
        using var scope = propagator.BeginScope(extracted, "m");

        extracted.CorrelationId.ShouldBe("kept-id");
        CorrelationContext.Current!.Depth.ShouldBe(0);
        CorrelationContext.Current.Origin.ShouldBe("here");
        CorrelationContext.Current.PreviousCorrelationId.ShouldBeNull();
        var warning = logs.WithEventName("InvalidFlowMetadataReplaced").ShouldHaveSingleItem();
        warning.Level.ShouldBe(LogLevel.Warning);
        warning.Message.ShouldNotContain("\r");
        warning.Message.ShouldNotContain("\n");
    }

    [Theory]
    [MemberData(nameof(MalformedKinds))]
    public void Extract_MalformedFlow_Reject_ThrowsRejectedWithInvalidFlowMetadata(string kind)
    {
        var bytes = FlowOracle.Malformed.Single(m => m.Kind == kind).Bytes;
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = InvalidCorrelationIdPolicy.Reject });

        var ex = Should.Throw<CorrelationIdRejectedException>(() =>
            propagator.Extract(new Dictionary<string, byte[]> { ["X-Correlation-ID"] = "id"u8.ToArray(), ["X-Correlation-Flow"] = bytes }, ByteGetter));

        ex.Problem.ShouldBe(CorrelationIdProblem.InvalidFlowMetadata);
        ex.HeaderName.ShouldBe("X-Correlation-Flow");
    }

    [Fact]
    public void Extract_ValidFlowUnderEveryPolicy_IsUsedAsCarried()
    {
        foreach (var policy in Enum.GetValues<InvalidCorrelationIdPolicy>())
        {
            var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = policy });
            var extracted = propagator.Extract(new Dictionary<string, string> { ["X-Correlation-ID"] = "id", ["X-Correlation-Flow"] = "3 svc 1764505103123" }, TextGetter);
            using var scope = propagator.BeginScope(extracted, "m");
            CorrelationContext.Current!.Depth.ShouldBe(3, policy.ToString());
        }
    }

    [Theory]
    [InlineData(InvalidCorrelationIdPolicy.Regenerate)]
    [InlineData(InvalidCorrelationIdPolicy.Trust)]
    public void Extract_NullOrWrongTypeFlow_RestartsUnderNonRejectingPolicies(InvalidCorrelationIdPolicy policy)
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { InvalidIdPolicy = policy, ServiceName = "here" });
        foreach (var value in new[] { InboundHeaderValue.Null, InboundHeaderValue.WrongType("Int32") })
        {
            var extracted = propagator.Extract(0, (_, n) => n == "X-Correlation-Flow" ? value : n == "X-Correlation-ID" ? InboundHeaderValue.FromText("id") : default);
            using var scope = propagator.BeginScope(extracted, "m");
            CorrelationContext.Current!.Depth.ShouldBe(0);
            CorrelationContext.Current.Origin.ShouldBe("here");
        }
    }

    [Fact]
    public void Extract_DepthAboveMax_Reject_ThrowsAndCounts()
    {
        var counted = CountDepthExceeded(() =>
        {
            var propagator = new CorrelationPropagator(new CorrelationOptions { MaxDepth = 5 });
            var ex = Should.Throw<CorrelationIdRejectedException>(() =>
                propagator.Extract(new Dictionary<string, string> { ["X-Correlation-ID"] = "loop", ["X-Correlation-Flow"] = "6 svc 1764505103123" }, TextGetter));
            ex.Problem.ShouldBe(CorrelationIdProblem.FlowDepthExceeded);
        });

        counted.ShouldBe(["Reject"]);
    }

    [Fact]
    public void Extract_DepthAtMax_IsAccepted_FailingTwinOfTheLoopGuard()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { MaxDepth = 5 });
        var extracted = propagator.Extract(new Dictionary<string, string> { ["X-Correlation-ID"] = "loop", ["X-Correlation-Flow"] = "5 svc 1764505103123" }, TextGetter);
        using var scope = propagator.BeginScope(extracted, "m");
        CorrelationContext.Current!.Depth.ShouldBe(5);
    }

    [Fact]
    public void Extract_DepthAboveMax_LogAndContinue_HandledAtItsDepthWithWarning()
    {
        var logs = new CapturingLoggerProvider();
        var counted = CountDepthExceeded(() =>
        {
            var propagator = new CorrelationPropagator(new CorrelationOptions { MaxDepth = 5, DepthLimitPolicy = FlowDepthLimitPolicy.LogAndContinue }, Factory(logs));
            var extracted = propagator.Extract(new Dictionary<string, string> { ["X-Correlation-ID"] = "loop", ["X-Correlation-Flow"] = "9 svc 1764505103123" }, TextGetter);
            using var scope = propagator.BeginScope(extracted, "m");
            CorrelationContext.Current!.Depth.ShouldBe(9);
        });

        counted.ShouldBe(["LogAndContinue"]);
        logs.WithEventName("FlowDepthLimitExceeded").ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Warning);
    }

    [Fact]
    public void StartNewFlow_InsideAFlow_NewIdLinkedToPreviousAndRestoredAfter()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "batch" });
        using var outer = propagator.BeginScope(propagator.Extract(new Dictionary<string, string> { ["X-Correlation-ID"] = "old-flow", ["X-Correlation-Flow"] = "4 web 1764505103123" }, TextGetter), "m");
        var carrier = new Dictionary<string, string>();

        using (CorrelationContext.StartNewFlow(propagator))
        {
            var current = CorrelationContext.Current!;
            current.CorrelationId.ShouldNotBe("old-flow");
            current.PreviousCorrelationId.ShouldBe("old-flow");
            current.Depth.ShouldBe(0);
            current.Origin.ShouldBe("batch");
            propagator.Inject(current, carrier, TextSetter);
        }

        CorrelationContext.Current!.CorrelationId.ShouldBe("old-flow");
        var written = FlowOracle.Parse(carrier["X-Correlation-Flow"])!;
        (written.Depth, written.Origin, written.PreviousCorrelationId).ShouldBe((1, "batch", "old-flow"));
        carrier["X-Correlation-ID"].ShouldNotBe("old-flow");
    }

    [Fact]
    public void StartNewFlow_OutsideAnyFlow_HasNoPrevious()
    {
        using var scope = CorrelationContext.StartNewFlow();
        CorrelationContext.Current!.PreviousCorrelationId.ShouldBeNull();
        CorrelationContext.Current.Depth.ShouldBe(0);
    }

    [Fact]
    public void LogScope_CarriesDepthOriginAndPreviousOnlyWhenSet()
    {
        var logs = new CapturingLoggerProvider();
        var factory = Factory(logs);
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "svc" }, factory);
        var logger = factory.CreateLogger("test");
        using (propagator.BeginScope(propagator.Extract(new Dictionary<string, string> { ["X-Correlation-ID"] = "a", ["X-Correlation-Flow"] = "2 web 1764505103123" }, TextGetter), "m"))
        {
            logger.LogInformation("in flow");
            using (CorrelationContext.StartNewFlow(propagator))
            {
                logger.LogInformation("in new flow");
            }
        }

        var inFlow = logs.Logs.Single(l => l.Message == "in flow");
        (inFlow.Field("correlation_depth"), inFlow.Field("correlation_origin"), inFlow.ScopeFields.ContainsKey("previous_correlation_id")).ShouldBe(("2", "web", false));
        var inNew = logs.Logs.Single(l => l.Message == "in new flow");
        (inNew.Field("correlation_depth"), inNew.Field("correlation_origin"), inNew.Field("previous_correlation_id")).ShouldBe(("0", "svc", "a"));
    }

    [Fact]
    public void GetOutgoingContext_RelayOfAValidFlow_WritesItBackUnchanged()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { ServiceName = "relay" });
        var stored = new Dictionary<string, string> { ["X-Correlation-ID"] = "stored", ["X-Correlation-Flow"] = "3 web 1764505103123 prev" };

        var context = propagator.GetOutgoingContext(stored, TextGetter);
        var carrier = new Dictionary<string, string>();
        propagator.Inject(context, carrier, TextSetter);

        carrier["X-Correlation-Flow"].ShouldBe("3 web 1764505103123 prev");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("sl/ash")]
    [InlineData("")]
    public void Options_InvalidServiceName_FailsValidation(string name)
    {
        Should.Throw<OptionsValidationException>(() => new CorrelationPropagator(new CorrelationOptions { ServiceName = name }));
    }

    [Theory]
    [InlineData("X-Correlation-ID")]
    [InlineData("x-causation-id")]
    [InlineData("CorrelationId")]
    public void Options_FlowHeaderNameCollides_FailsValidation(string name)
    {
        Should.Throw<OptionsValidationException>(() => new CorrelationPropagator(new CorrelationOptions { FlowHeaderName = name }));
    }

    [Fact]
    public void Options_MaxDepthOutOfRange_FailsValidation()
    {
        Should.Throw<OptionsValidationException>(() => new CorrelationPropagator(new CorrelationOptions { MaxDepth = 0 }));
    }

    [Theory]
    [InlineData("My Service/API", "My-Service-API")]
    [InlineData("Orders.Api", "Orders.Api")]
    [InlineData("日本", "--")]
    [InlineData(null, "unknown")]
    public void DefaultServiceName_FitsTheIdRules(string? raw, string expected)
    {
        Correlation.Messaging.Flow.Internal.ServiceNames.Fit(raw, 128, "-_.:").ShouldBe(expected);
    }

    private static List<string> CountDepthExceeded(Action action)
    {
        var policies = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Correlation.Messaging" && instrument.Name == "correlation.flow.depth_exceeded")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "policy")
                {
                    lock (policies)
                    {
                        policies.Add((string)tag.Value!);
                    }
                }
            }
        });
        listener.Start();
        action();
        return policies;
    }

    private static ILoggerFactory Factory(CapturingLoggerProvider logs) =>
        LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
}
