using System.Diagnostics.Metrics;
using System.Text;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Tests.Propagation;

public sealed class CorrelationPropagatorTests
{
    private static readonly CorrelationHeaderSetter<Dictionary<string, string>> TextSetter = static (c, n, v) => c[n] = v.Text;
    private static readonly CorrelationHeaderGetter<Dictionary<string, string>> TextGetter =
        static (c, n) => c.TryGetValue(n, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing;

    private static readonly CorrelationHeaderSetter<List<KeyValuePair<string, byte[]>>> ByteSetter = static (c, n, v) =>
    {
        c.RemoveAll(h => h.Key == n);
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(v.Utf8, out var segment);
        c.Add(new(n, segment.Array!));
    };

    private static readonly CorrelationHeaderGetter<List<KeyValuePair<string, byte[]>>> ByteGetter = static (c, n) =>
    {
        var matches = c.Where(h => h.Key == n).ToList();
        return matches.Count == 0 ? InboundHeaderValue.Missing : InboundHeaderValue.FromUtf8(matches[^1].Value, matches.Count > 1);
    };

    [Fact]
    public void InjectExtract_TextCarrier_RoundTripsCorrelationAndCausation()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var carrier = new Dictionary<string, string>();

        propagator.Inject(new CorrelationContext("flow-1", causationId: "m0", messageId: "m1"), carrier, TextSetter);

        carrier[CorrelationHeaders.CorrelationId].ShouldBe("flow-1");
        carrier[CorrelationHeaders.CausationId].ShouldBe("m1");
        var extracted = propagator.Extract(carrier, TextGetter);
        extracted.CorrelationId.ShouldBe("flow-1");
        extracted.CausationId.ShouldBe("m1");
        extracted.Source.ShouldBe(CorrelationIdSource.Inbound);
    }

    [Fact]
    public void Inject_AtTheEdge_WritesNoCausationHeader()
    {
        var carrier = new Dictionary<string, string>();
        CorrelationPropagator.Default.Inject(new CorrelationContext("edge"), carrier, TextSetter);
        carrier.Keys.ShouldBe(["X-Correlation-ID", "X-Correlation-Flow"]);
    }

    [Fact]
    public void InjectExtract_ByteCarrier_RoundTripsAndReplacesExistingHeaders()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var carrier = new List<KeyValuePair<string, byte[]>>
        {
            new(CorrelationHeaders.CorrelationId, "stale"u8.ToArray()),
            new(CorrelationHeaders.CorrelationId, "stale-2"u8.ToArray()),
        };

        propagator.Inject(new CorrelationContext("flow-2", messageId: "m2"), carrier, ByteSetter);

        carrier.Count(h => h.Key == CorrelationHeaders.CorrelationId).ShouldBe(1);
        var extracted = propagator.Extract(carrier, ByteGetter, readMessageIdHeader: true);
        extracted.CorrelationId.ShouldBe("flow-2");
        extracted.CausationId.ShouldBe("m2");
    }

    [Fact]
    public void Extract_DuplicateHeaders_LastWinsAndIsLogged()
    {
        var logs = new CapturingLoggerProvider();
        var propagator = new CorrelationPropagator(new CorrelationOptions(), Factory(logs));
        var carrier = new List<KeyValuePair<string, byte[]>>
        {
            new(CorrelationHeaders.CorrelationId, "first"u8.ToArray()),
            new(CorrelationHeaders.CorrelationId, "last"u8.ToArray()),
        };

        propagator.Extract(carrier, ByteGetter).CorrelationId.ShouldBe("last");
        logs.WithEventName("DuplicateHeader").ShouldHaveSingleItem();
    }

    public static TheoryData<string[], string> AliasCases => new()
    {
        { ["X-Correlation-ID", "correlation-id", "CorrelationId"], "X-Correlation-ID" },
        { ["correlation-id", "CorrelationId", "rbs2-corr-id"], "correlation-id" },
        { ["CorrelationId", "rbs2-corr-id", "NServiceBus.CorrelationId"], "CorrelationId" },
        { ["rbs2-corr-id", "NServiceBus.CorrelationId"], "rbs2-corr-id" },
        { ["NServiceBus.CorrelationId"], "NServiceBus.CorrelationId" },
    };

    [Theory]
    [MemberData(nameof(AliasCases))]
    public void Extract_Aliases_FollowDocumentedPrecedence(string[] present, string expectedWinner)
    {
        var carrier = present.ToDictionary(n => n, n => "id-from-" + n.Replace('.', '_'));
        CorrelationPropagator.Default.Extract(carrier, TextGetter).CorrelationId.ShouldBe("id-from-" + expectedWinner.Replace('.', '_'));
    }

    [Fact]
    public void Extract_NativeProperty_ComesAfterCanonicalHeaderAndBeforeAliases()
    {
        var native = InboundHeaderValue.FromText("from-native");
        var withHeader = new Dictionary<string, string> { [CorrelationHeaders.CorrelationId] = "from-header", ["correlation-id"] = "from-alias" };
        var withAlias = new Dictionary<string, string> { ["correlation-id"] = "from-alias" };

        CorrelationPropagator.Default.Extract(withHeader, TextGetter, native).CorrelationId.ShouldBe("from-header");
        CorrelationPropagator.Default.Extract(withAlias, TextGetter, native).CorrelationId.ShouldBe("from-native");
    }

    [Fact]
    public void Extract_RequestIdAlias_OffByDefaultAndLastWhenEnabled()
    {
        var carrier = new Dictionary<string, string> { [CorrelationHeaders.RequestId] = "req-1" };
        CorrelationPropagator.Default.Extract(carrier, TextGetter).Source.ShouldBe(CorrelationIdSource.Generated);

        var enabled = new CorrelationPropagator(new CorrelationOptions { ReadRequestIdAlias = true });
        enabled.Extract(carrier, TextGetter).CorrelationId.ShouldBe("req-1");
        carrier["rbs2-corr-id"] = "rebus-1";
        enabled.Extract(carrier, TextGetter).CorrelationId.ShouldBe("rebus-1");
    }

    [Fact]
    public void Extract_CustomHeaderName_IsCanonical()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { HeaderName = "x-corr" });
        var carrier = new Dictionary<string, string> { ["x-corr"] = "custom", [CorrelationHeaders.CorrelationId] = "default-name" };
        propagator.Extract(carrier, TextGetter).CorrelationId.ShouldBe("custom");
    }

    [Fact]
    public void Extract_Missing_GeneratesAndLogsAtDebug()
    {
        var logs = new CapturingLoggerProvider();
        var propagator = new CorrelationPropagator(new CorrelationOptions { IdFormat = CorrelationIdFormat.Ulid }, Factory(logs));

        var extracted = propagator.Extract(new Dictionary<string, string>(), TextGetter);

        extracted.Source.ShouldBe(CorrelationIdSource.Generated);
        extracted.CorrelationId.Length.ShouldBe(26);
        logs.WithEventName("CorrelationIdGenerated").ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Debug);
    }

    [Fact]
    public void Extract_MissingWithRejectPolicy_Throws()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { MissingIdPolicy = MissingCorrelationIdPolicy.Reject });
        Should.Throw<CorrelationIdRejectedException>(() => propagator.Extract(new Dictionary<string, string>(), TextGetter))
            .Problem.ShouldBe(CorrelationIdProblem.Missing);
    }

    [Fact]
    public void Extract_InvalidCausation_IsDroppedButCorrelationKept()
    {
        var carrier = new Dictionary<string, string> { [CorrelationHeaders.CorrelationId] = "ok", [CorrelationHeaders.CausationId] = "bad\r\nvalue" };
        var extracted = CorrelationPropagator.Default.Extract(carrier, TextGetter);
        extracted.CorrelationId.ShouldBe("ok");
        extracted.CausationId.ShouldBeNull();
    }

    [Fact]
    public void GetOutgoingContext_WithoutAmbient_GeneratesAndLogsAtDebug_WithAmbient_ReturnsIt()
    {
        var logs = new CapturingLoggerProvider();
        var propagator = new CorrelationPropagator(new CorrelationOptions(), Factory(logs));

        var generated = propagator.GetOutgoingContext();
        generated.Source.ShouldBe(CorrelationIdSource.Generated);
        logs.WithEventName("OutgoingCorrelationIdGenerated").ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Debug);

        var ambient = new CorrelationContext("ambient");
        using (CorrelationContext.BeginScope(ambient))
        {
            propagator.GetOutgoingContext().ShouldBeSameAs(ambient);
        }
    }

    [Fact]
    public void BeginConsumeScope_OpensLoggingScopeWithSnakeCaseFieldsAndClearsAfter()
    {
        var logs = new CapturingLoggerProvider();
        var factory = Factory(logs);
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var logger = factory.CreateLogger("handler");
        var carrier = new Dictionary<string, string> { [CorrelationHeaders.CorrelationId] = "flow-9", [CorrelationHeaders.CausationId] = "parent-1" };

        using (propagator.BeginConsumeScope(carrier, TextGetter, messageId: "msg-9"))
        {
            CorrelationContext.Current!.CorrelationId.ShouldBe("flow-9");
            CorrelationContext.Current.MessageId.ShouldBe("msg-9");
            logger.LogInformation("handling");
        }

        logger.LogInformation("after");
        CorrelationContext.Current.ShouldBeNull();

        var handling = logs.Logs.Single(l => l.Message == "handling");
        handling.Field("correlation_id").ShouldBe("flow-9");
        handling.Field("causation_id").ShouldBe("parent-1");
        handling.Field("message_id").ShouldBe("msg-9");
        logs.Logs.Single(l => l.Message == "after").ScopeFields.ShouldBeEmpty();
    }

    [Fact]
    public void BeginScope_SameContextTwice_ReusesOneCachedScopeList()
    {
        var logs = new CapturingLoggerProvider();
        var factory = Factory(logs);
        var propagator = new CorrelationPropagator(new CorrelationOptions(), factory);
        var context = new CorrelationContext("flow");
        var logger = factory.CreateLogger("x");

        using (propagator.BeginScope(context))
        {
            logger.LogInformation("one");
        }

        using (propagator.BeginScope(context))
        {
            logger.LogInformation("two");
        }

        logs.Logs[0].Scopes.Single().ShouldBeSameAs(logs.Logs[1].Scopes.Single());
        logs.Logs[0].Scopes.Single().ShouldBeAssignableTo<IReadOnlyList<KeyValuePair<string, object?>>>();
    }

    [Fact]
    public void Extract_CountsOutcomesOnTheMeter()
    {
        var outcomes = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Correlation.Messaging" && instrument.Name == "correlation.inbound")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    lock (outcomes)
                    {
                        outcomes.Add((string)tag.Value!);
                    }
                }
            }
        });
        listener.Start();

        var propagator = new CorrelationPropagator(new CorrelationOptions());
        var marker = "meter-" + Guid.NewGuid().ToString("N");
        propagator.Extract(new Dictionary<string, string> { [CorrelationHeaders.CorrelationId] = marker }, TextGetter);
        propagator.Extract(new Dictionary<string, string>(), TextGetter);
        propagator.Extract(new Dictionary<string, string> { [CorrelationHeaders.CorrelationId] = "bad\n" }, TextGetter);

        lock (outcomes)
        {
            outcomes.ShouldContain("accepted");
            outcomes.ShouldContain("generated");
            outcomes.ShouldContain("replaced");
        }
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => new CorrelationPropagator(new CorrelationOptions { AllowedSymbols = "-\n" }));
        Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => new CorrelationPropagator(new CorrelationOptions { MaxLength = 0 }));
        Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => new CorrelationPropagator(new CorrelationOptions { HeaderName = "bad name" }));
    }

    [Fact]
    public void Options_AreCopied_LaterChangesHaveNoEffect()
    {
        var options = new CorrelationOptions();
        var propagator = new CorrelationPropagator(options);
        options.HeaderName = "changed";
        propagator.HeaderName.ShouldBe(CorrelationHeaders.CorrelationId);
    }

    [Fact]
    public void Inject_ByteCarrier_UsesCachedBytesAcrossMessages()
    {
        var context = new CorrelationContext("flow-bytes");
        var first = new List<KeyValuePair<string, byte[]>>();
        var second = new List<KeyValuePair<string, byte[]>>();
        CorrelationPropagator.Default.Inject(context, first, ByteSetter);
        CorrelationPropagator.Default.Inject(context, second, ByteSetter);
        first[0].Value.ShouldBeSameAs(second[0].Value);
        Encoding.UTF8.GetString(first[0].Value).ShouldBe("flow-bytes");
    }

    private static ILoggerFactory Factory(CapturingLoggerProvider logs) =>
        LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
}
