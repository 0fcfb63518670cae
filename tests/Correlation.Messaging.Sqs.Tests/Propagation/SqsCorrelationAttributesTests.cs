using Correlation.Messaging.Sqs.Propagation.Internal;
using System.Text.Json;
using Correlation.Messaging.Propagation;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;
using Correlation.Messaging.TestSupport;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.Sqs.Tests.Propagation;

[Collection(MetricsCollection.Name)]
public sealed class SqsCorrelationAttributesTests
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly CorrelationPropagator _propagator;

    public SqsCorrelationAttributesTests()
    {
        _propagator = new CorrelationPropagator(new CorrelationOptions(), LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace)));
    }

    private static Dictionary<string, MessageAttributeValue> UserAttributes(int count) =>
        Enumerable.Range(0, count).ToDictionary(i => "user" + i, i => Attr.String("v" + i));

    [Theory]
    [InlineData(0, false)]
    [InlineData(7, true)]
    [InlineData(8, false)]
    public void Inject_FreeSlotsForEveryField_WritesSeparateStringAttributes(int userCount, bool handlingMessage)
    {
        var context = new CorrelationContext("corr-1", messageId: handlingMessage ? "consumed-1" : null);
        var attributes = UserAttributes(userCount);

        SqsCorrelationAttributes.Inject(_propagator, context, attributes).ShouldBe(SqsAttributeWriteOutcome.Attributes);

        attributes["X-Correlation-ID"].DataType.ShouldBe("String");
        attributes["X-Correlation-ID"].StringValue.ShouldBe("corr-1");
        attributes.ContainsKey("X-Causation-ID").ShouldBe(handlingMessage);
        if (handlingMessage)
        {
            attributes["X-Causation-ID"].StringValue.ShouldBe("consumed-1");
        }

        attributes.Count.ShouldBe(userCount + (handlingMessage ? 3 : 2), "the flow attribute is the extra one");
        attributes.ContainsKey(SqsCorrelationAttributes.PackedAttributeName).ShouldBeFalse();
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public void Inject_WriteAliasesAndBaggageBridgeOn_SqsWritesOnlyOurNamesWithinTheBudget(int userCount)
    {
        var options = new CorrelationOptions { BridgeBaggage = true };
        options.WriteAliases.Add("correlation-id");
        options.CausationWriteAliases.Add("ce_causationid");
        var propagator = new CorrelationPropagator(options);
        var attributes = UserAttributes(userCount);

        SqsCorrelationAttributes.Inject(propagator, new CorrelationContext("corr-a", messageId: "consumed-a"), attributes);

        attributes.Count.ShouldBeLessThanOrEqualTo(10);
        attributes.Keys.ShouldNotContain("correlation-id");
        attributes.Keys.ShouldNotContain("ce_causationid");
        attributes.Keys.ShouldNotContain("baggage");
        if (attributes.TryGetValue(SqsCorrelationAttributes.PackedAttributeName, out var packed))
        {
            using var json = JsonDocument.Parse(packed.StringValue!);
            json.RootElement.EnumerateObject().Select(p => p.Name).ShouldBe(["X-Correlation-ID", "X-Causation-ID", "X-Correlation-Flow"]);
        }
    }

    [Fact]
    public void Inject_OneSlotLeftButTwoFields_PacksIntoOneJsonAttributeThatExtractRestores()
    {
        var context = new CorrelationContext("corr-2", messageId: "consumed-2");
        var attributes = UserAttributes(9);

        SqsCorrelationAttributes.Inject(_propagator, context, attributes).ShouldBe(SqsAttributeWriteOutcome.Packed);

        attributes.Count.ShouldBe(10);
        var packed = attributes[SqsCorrelationAttributes.PackedAttributeName];
        packed.DataType.ShouldBe("String");
        using (var json = JsonDocument.Parse(packed.StringValue!))
        {
            json.RootElement.GetProperty("X-Correlation-ID").GetString().ShouldBe("corr-2");
            json.RootElement.GetProperty("X-Causation-ID").GetString().ShouldBe("consumed-2");
        }

        var extracted = SqsCorrelationAttributes.Extract(_propagator, attributes);
        extracted.CorrelationId.ShouldBe("corr-2");
        extracted.CausationId.ShouldBe("consumed-2");
        extracted.Source.ShouldBe(CorrelationIdSource.Inbound);
        _logs.WithEventName("CorrelationAttributesPacked").ShouldHaveSingleItem();
    }

    [Fact]
    public void Inject_NoSlotLeft_LeavesAttributesAloneLogsAndCountsDegraded()
    {
        using var degraded = new DegradedCounter();
        var attributes = UserAttributes(10);
        var before = attributes.ToDictionary(p => p.Key, p => p.Value);

        SqsCorrelationAttributes.Inject(_propagator, new CorrelationContext("corr-3"), attributes).ShouldBe(SqsAttributeWriteOutcome.Skipped);

        attributes.ShouldBe(before);
        _logs.WithEventName("CorrelationAttributesSkipped").ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Warning);
        degraded["sqs/attribute_limit"].ShouldBe(1);
    }

    [Fact]
    public void Inject_BodyNearSizeLimit_SkipsAndCountsDegraded()
    {
        using var degraded = new DegradedCounter();
        var attributes = UserAttributes(1);
        var body = new string('x', SqsCorrelationAttributes.DefaultMaxMessageSize - 20);

        SqsCorrelationAttributes.Inject(_propagator, new CorrelationContext("corr-size-limit"), attributes, body).ShouldBe(SqsAttributeWriteOutcome.Skipped);

        attributes.Count.ShouldBe(1);
        degraded["sqs/size_limit"].ShouldBe(1);
    }

    [Fact]
    public void Inject_ExistingCorrelationAttributes_ReplacesThemAndDropsStaleCausationAndPacked()
    {
        var attributes = new Dictionary<string, MessageAttributeValue>
        {
            ["X-Correlation-ID"] = Attr.String("old"),
            ["X-Causation-ID"] = Attr.String("stale"),
            ["x-correlation-flow"] = Attr.String("7 stale 1764505103123"),
            [SqsCorrelationAttributes.PackedAttributeName] = Attr.String("{}"),
        };

        SqsCorrelationAttributes.Inject(_propagator, new CorrelationContext("new"), attributes).ShouldBe(SqsAttributeWriteOutcome.Attributes);

        attributes.Keys.ShouldBe(["X-Correlation-ID", "X-Correlation-Flow"], ignoreOrder: true);
        attributes["X-Correlation-Flow"].StringValue.ShouldStartWith("1 ");
        attributes["X-Correlation-ID"].StringValue.ShouldBe("new");
    }

    [Fact]
    public void Inject_HeaderNameIllegalForSqs_FallsBackToPacked()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions { HeaderName = "corr:id" });
        var attributes = new Dictionary<string, MessageAttributeValue>();

        SqsCorrelationAttributes.Inject(propagator, new CorrelationContext("c-1"), attributes).ShouldBe(SqsAttributeWriteOutcome.Packed);
        SqsCorrelationAttributes.Extract(propagator, attributes).CorrelationId.ShouldBe("c-1");
    }

    [Theory]
    [InlineData("Number", CorrelationIdProblem.WrongType)]
    [InlineData("Number.int", CorrelationIdProblem.WrongType)]
    [InlineData("Binary", CorrelationIdProblem.WrongType)]
    [InlineData("Stringly", CorrelationIdProblem.WrongType)]
    [InlineData("String.custom", CorrelationIdProblem.None)]
    [InlineData("String", CorrelationIdProblem.None)]
    public void Extract_DataType_MapsToTextOrWrongType(string dataType, CorrelationIdProblem expected)
    {
        var attributes = new Dictionary<string, MessageAttributeValue>
        {
            ["X-Correlation-ID"] = new() { DataType = dataType, StringValue = "12345", BinaryValue = dataType.StartsWith("Binary", StringComparison.Ordinal) ? new MemoryStream("abc"u8.ToArray()) : null },
        };

        var extracted = SqsCorrelationAttributes.Extract(_propagator, attributes);

        extracted.Problem.ShouldBe(expected);
        if (expected == CorrelationIdProblem.None)
        {
            extracted.CorrelationId.ShouldBe("12345");
        }
        else
        {
            extracted.Source.ShouldBe(CorrelationIdSource.Replaced);
        }
    }

    [Fact]
    public void Extract_NameInOtherCase_IsRead()
    {
        var attributes = new Dictionary<string, MessageAttributeValue> { ["x-correlation-id"] = Attr.String("lower-1") };

        SqsCorrelationAttributes.Extract(_propagator, attributes).CorrelationId.ShouldBe("lower-1");
    }

    [Fact]
    public void Extract_SeparateAttributeAndPacked_SeparateAttributeWins()
    {
        var attributes = new Dictionary<string, MessageAttributeValue>
        {
            ["X-Correlation-ID"] = Attr.String("direct"),
            [SqsCorrelationAttributes.PackedAttributeName] = Attr.String("""{"X-Correlation-ID":"packed","X-Causation-ID":"cause"}"""),
        };

        var extracted = SqsCorrelationAttributes.Extract(_propagator, attributes);

        extracted.CorrelationId.ShouldBe("direct");
        extracted.CausationId.ShouldBe("cause");
    }

    [Theory]
    [InlineData("{not json", CorrelationIdProblem.Missing)]
    [InlineData("[\"X-Correlation-ID\"]", CorrelationIdProblem.Missing)]
    [InlineData("""{"X-Correlation-ID":5}""", CorrelationIdProblem.WrongType)]
    [InlineData("""{"X-Correlation-ID":""}""", CorrelationIdProblem.Empty)]
    [InlineData("""{"X-Correlation-ID":"a\r\nb"}""", CorrelationIdProblem.UnsafeCharacter)]
    [InlineData("""{"X-Correlation-ID":"ok-1"}""", CorrelationIdProblem.None)]
    public void Extract_PackedAttribute_AppliesPolicy(string packed, CorrelationIdProblem expected)
    {
        var attributes = new Dictionary<string, MessageAttributeValue> { [SqsCorrelationAttributes.PackedAttributeName] = Attr.String(packed) };

        SqsCorrelationAttributes.Extract(_propagator, attributes).Problem.ShouldBe(expected);
    }

    [Fact]
    public void MergeReceiveNames_Subset_AddsOursWithoutTouchingInput()
    {
        List<string> requested = ["custom"];

        var names = ReceiveNames.Merge(requested, SqsCorrelationAttributes.GetAttributeNamesToReceive(_propagator));

        requested.ShouldBe(["custom"]);
        names.ShouldBe(["custom", "X-Correlation-ID", "X-Causation-ID", "X-Correlation-Flow", SqsCorrelationAttributes.PackedAttributeName, "correlation-id", "CorrelationId", "rbs2-corr-id", "NServiceBus.CorrelationId"]);
    }

    [Theory]
    [InlineData("All")]
    [InlineData(".*")]
    public void MergeReceiveNames_AllAttributes_NothingToAdd(string all)
    {
        ReceiveNames.Merge(["custom", all], SqsCorrelationAttributes.GetAttributeNamesToReceive(_propagator)).ShouldBeNull();
    }

    [Fact]
    public void MergeReceiveNames_PrefixCoversSome_AddsOnlyTheOthers()
    {
        // "X-Correlation.*" asks for names starting with "X-Correlation." only: X-Correlation-ID is not one of them.
        var names = ReceiveNames.Merge(["X-Correlation.*", "ours.*", "X-Causation-ID"], ["X-Correlation-ID", "X-Causation-ID", "ours.cause"]);

        names.ShouldBe(["X-Correlation.*", "ours.*", "X-Causation-ID", "X-Correlation-ID"]);
        ReceiveNames.Merge(null, ["a", "b"]).ShouldBe(["a", "b"]);
    }
}
