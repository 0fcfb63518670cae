using CsCheck;
using Amazon.SQS.Model;
using Correlation.Messaging.Contracts.Oracle;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Sqs.Propagation;
using Correlation.Messaging.Sqs.Propagation.Internal;

namespace Correlation.Messaging.Sqs.Tests.Reliability;

/// <summary>
/// Generated attribute values (CsCheck; <see cref="WireValueGen"/>) judged by <see cref="WireFormatOracle"/>, the
/// independent reading of docs/wire-format.md, through the SQS carrier's extraction under every policy: as a
/// <c>String</c> attribute, under an alias, packed in <c>X-Correlation-Context</c>, and as a <c>Number</c> attribute (a
/// wrong type). SQS attributes carry text, so the values are text; a failure is shrunk and printed with its seed.
/// </summary>
public sealed class SqsOracleTests
{
    /// <summary>SQS message attributes: text only (bytes travel as <c>Binary</c>, a wrong type); never null; <c>Number</c> is a wrong type.</summary>
    private static readonly WireCapabilities Sqs = new(Text: true, Bytes: false, Null: false, [12345]);

    private static void WriteLine(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        TestContext.Current.SendDiagnosticMessage(line);
    }

    [Theory]
    [InlineData(Shape.Canonical)]
    [InlineData(Shape.Alias)]
    [InlineData(Shape.Packed)]
    [InlineData(Shape.LowerCaseAfterExact)]
    public void Extract_GeneratedAttributeValues_MatchTheWireFormatDocument(Shape shape) =>
        OracleProperties.ExtractionMatchesOracle(
            // The document says an unreadable packed attribute (a lone surrogate cannot be JSON text) or one longer than
            // 4,096 characters is ignored, so in the packed shape those values are left to the other shapes.
            shape == Shape.Packed
                ? WireValueGen.For(Sqs).Where(v => v.Kind != WireKind.LoneSurrogate && (v.Text is null || Packed(v.Text).Length <= 4096))
                : WireValueGen.For(Sqs),
            v => Carrier(v, shape),
            InboundAttributes.Get,
            WriteLine,
            requiredKinds: [WireKind.Valid, WireKind.OutsideAllowedSet, WireKind.Control, WireKind.Format, WireKind.TooLong]);

    public enum Shape
    {
        Canonical,
        Alias,
        Packed,
        LowerCaseAfterExact,
    }

    private static InboundAttributes Carrier(WireValue value, Shape shape)
    {
        var attribute = value.Other is int number
            ? new MessageAttributeValue { DataType = "Number", StringValue = number.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : Attr.String(value.Text!);
        var attributes = shape switch
        {
            Shape.Alias => new Dictionary<string, MessageAttributeValue> { [CorrelationHeaders.CorrelationIdLowerKebab] = attribute },
            Shape.Packed when value.Other is null => new Dictionary<string, MessageAttributeValue>
            {
                [SqsCorrelationAttributes.PackedAttributeName] = Attr.String(Packed(value.Text!)),
            },
            // The lookup rule: the exact spelling wins over a case variant, whatever the order.
            Shape.LowerCaseAfterExact => new Dictionary<string, MessageAttributeValue>
            {
                [CorrelationHeaders.CorrelationId] = attribute,
                ["x-correlation-id"] = Attr.String("lower-case-loses"),
            },
            _ => new Dictionary<string, MessageAttributeValue> { [CorrelationHeaders.CorrelationId] = attribute },
        };
        return new InboundAttributes(attributes, CorrelationPropagator.Default);
    }

    private static string Packed(string text) => "{\"X-Correlation-ID\":\"" + JsonEscape(text) + "\"}";

    /// <summary>A JSON string body with everything outside printable ASCII (and <c>"</c>, <c>\</c>) as <c>\uXXXX</c>.</summary>
    private static string JsonEscape(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c is >= ' ' and <= '~' and not ('"' or '\\'))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
