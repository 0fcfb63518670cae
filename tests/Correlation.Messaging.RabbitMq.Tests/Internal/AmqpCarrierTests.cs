using System.Text;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.RabbitMq.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Correlation.Messaging.RabbitMq.Tests;

public sealed class AmqpCarrierTests
{
    public static TheoryData<object, string> WrongTypes => new()
    {
        { 42, "Int32" },
        { 42L, "Int64" },
        { true, "Boolean" },
        { 1.5d, "Double" },
        { 2.5m, "Decimal" },
        { new Dictionary<string, object?> { ["a"] = "b" }, "Table" },
        { new List<object?> { "a" }, "Array" },
        { new AmqpTimestamp(1), "Timestamp" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void FromValue_NonStringAmqpField_WrongTypeWithWireName(object value, string wireType)
    {
        var inbound = AmqpCarrier.FromValue(value);

        inbound.Kind.ShouldBe(InboundHeaderValueKind.WrongType);
        inbound.WireType.ShouldBe(wireType);
    }

    [Fact]
    public void FromValue_LongStringBytesTextAndNull_MappedWithoutCopy()
    {
        var bytes = "abc"u8.ToArray();

        var utf8 = AmqpCarrier.FromValue(bytes);
        utf8.Kind.ShouldBe(InboundHeaderValueKind.Utf8);
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(utf8.Utf8, out var segment).ShouldBeTrue();
        segment.Array.ShouldBeSameAs(bytes);
        AmqpCarrier.FromValue("abc").Text.ShouldBe("abc");
        AmqpCarrier.FromValue(null).Kind.ShouldBe(InboundHeaderValueKind.Null);
    }

    [Fact]
    public void FromTable_ExactNameAbsent_FindsOtherSpellingAndFlagsDuplicates()
    {
        var one = new Dictionary<string, object?> { ["x-correlation-id"] = "lower"u8.ToArray() };
        var two = new Dictionary<string, object?> { ["x-correlation-id"] = "a"u8.ToArray(), ["X-CORRELATION-ID"] = "b"u8.ToArray() };
        var exact = new Dictionary<string, object?> { ["x-correlation-id"] = "other"u8.ToArray(), ["X-Correlation-ID"] = "exact"u8.ToArray() };

        var single = AmqpCarrier.FromTable(one, "X-Correlation-ID");
        Encoding.UTF8.GetString(single.Utf8.Span).ShouldBe("lower");
        single.HadDuplicates.ShouldBeFalse();
        AmqpCarrier.FromTable(two, "X-Correlation-ID").HadDuplicates.ShouldBeTrue();
        Encoding.UTF8.GetString(AmqpCarrier.FromTable(exact, "X-Correlation-ID").Utf8.Span).ShouldBe("exact");
        AmqpCarrier.FromTable(null, "X-Correlation-ID").IsPresent.ShouldBeFalse();
        AmqpCarrier.FromTable(new Dictionary<string, object?>(), "X-Correlation-ID").IsPresent.ShouldBeFalse();
    }

    [Fact]
    public void Extract_HeaderPropertyAndAlias_HeaderThenPropertyThenAlias()
    {
        var propagator = new CorrelationPropagator(new CorrelationOptions());
        static BasicProperties Props(string? header, string? property, string? alias)
        {
            var p = new BasicProperties { Headers = new Dictionary<string, object?>() };
            if (header is not null) { p.Headers["X-Correlation-ID"] = Encoding.UTF8.GetBytes(header); }
            if (alias is not null) { p.Headers["correlation-id"] = Encoding.UTF8.GetBytes(alias); }
            if (property is not null) { p.CorrelationId = property; }
            return p;
        }

        string Extract(BasicProperties p) => propagator.Extract<IReadOnlyBasicProperties>(p, AmqpCarrier.PropertiesGetter, AmqpCarrier.NativeCorrelationId(p)).CorrelationId;

        Extract(Props("h", "p", "a")).ShouldBe("h");
        Extract(Props(null, "p", "a")).ShouldBe("p");
        Extract(Props(null, null, "a")).ShouldBe("a");
    }

    [Fact]
    public void PropertiesSetter_ExistingHeader_Replaced()
    {
        var properties = new BasicProperties { Headers = new Dictionary<string, object?> { ["X-Correlation-ID"] = "old" } };

        CorrelationPropagator.Default.Inject<IBasicProperties>(new CorrelationContext("new-id", messageId: "m"), properties, AmqpCarrier.PropertiesSetter);

        properties.Headers["X-Correlation-ID"].ShouldBe("new-id");
        properties.Headers["X-Causation-ID"].ShouldBe("m");
        properties.Headers.Keys.ShouldBe(["X-Correlation-ID", "X-Causation-ID", "X-Correlation-Flow"], ignoreOrder: true);
    }

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    public void TrySetCorrelationIdProperty_ShortStringLimit_SetOnlyWhenItFits(int bytes, bool expected)
    {
        var properties = new BasicProperties();
        var context = new CorrelationContext(new string('a', bytes));

        AmqpCarrier.TrySetCorrelationIdProperty(properties, context, "X-Correlation-ID", NullLogger.Instance).ShouldBe(expected);

        properties.IsCorrelationIdPresent().ShouldBe(expected);
    }

    [Fact]
    public void TrySetCorrelationIdProperty_AlreadySet_Kept()
    {
        var properties = new BasicProperties { CorrelationId = "theirs" };

        AmqpCarrier.TrySetCorrelationIdProperty(properties, new CorrelationContext("ours"), "X-Correlation-ID", NullLogger.Instance).ShouldBeFalse();

        properties.CorrelationId.ShouldBe("theirs");
    }

    [Fact]
    public void MessageIdAndNative_AbsentOrEmpty_NullAndMissing()
    {
        var empty = new BasicProperties();

        AmqpCarrier.MessageId(empty).ShouldBeNull();
        AmqpCarrier.MessageId(new BasicProperties { MessageId = string.Empty }).ShouldBeNull();
        AmqpCarrier.NativeCorrelationId(empty).IsPresent.ShouldBeFalse();
        AmqpCarrier.NativeCorrelationId(new BasicProperties { CorrelationId = string.Empty }).Kind.ShouldBe(InboundHeaderValueKind.Text);
    }

    [Fact]
    public void FromTable_ExactNameAndCaseVariant_ExactWinsAndFlaggedAsDuplicate()
    {
        var headers = new Dictionary<string, object?> { ["x-correlation-id"] = "second"u8.ToArray(), ["X-Correlation-ID"] = "first"u8.ToArray() };

        var value = AmqpCarrier.FromTable(headers, "X-Correlation-ID");

        Encoding.UTF8.GetString(value.Utf8.Span).ShouldBe("first");
        value.HadDuplicates.ShouldBeTrue("the lookup rule reports every duplicate, on every broker");
    }
}
