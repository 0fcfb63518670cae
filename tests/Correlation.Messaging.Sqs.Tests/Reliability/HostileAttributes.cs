using System.Net.Http.Headers;
using System.Text;
using Correlation.Messaging.Contracts;
using Amazon.SQS;
using Amazon.SQS.Model;
using Correlation.Messaging.Sqs.Propagation;

namespace Correlation.Messaging.Sqs.Tests.Reliability;

/// <summary>
/// How a hostile value is put on an SQS message, in four shapes that rotate per group of eight values (so every kind of
/// <see cref="HostileValues"/> meets every shape): the canonical <c>String</c> attribute; a <c>Binary</c> attribute (byte
/// values) or the <c>correlation-id</c> alias (text values); the packed <c>X-Correlation-Context</c> JSON attribute; and
/// the canonical attribute under a lower-case name with the same value as <c>X-Causation-ID</c>.
/// </summary>
internal static class HostileAttributes
{
    public const int Shapes = 4;

    public static int ShapeOf(int index) => index / 8 % Shapes;

    /// <summary>The attributes as our client's model, for extraction without a broker.</summary>
    public static Dictionary<string, MessageAttributeValue> For(HostileValue value, int index)
    {
        var text = value.AsText();
        return ShapeOf(index) switch
        {
            0 => new() { ["X-Correlation-ID"] = Attr.String(text) },
            1 when value.Bytes is not null => new() { ["X-Correlation-ID"] = new MessageAttributeValue { DataType = "Binary", BinaryValue = new MemoryStream(value.Bytes) } },
            1 => new() { ["correlation-id"] = Attr.String(text) },
            2 => new() { [SqsCorrelationAttributes.PackedAttributeName] = Attr.String($$"""{"X-Correlation-ID":"{{Escape(text)}}"}""") },
            _ => new() { ["x-correlation-id"] = Attr.String(text), ["X-Causation-ID"] = Attr.String(text) },
        };
    }

    /// <summary>
    /// The <c>SendMessage</c> request body a foreign producer would send, written by hand so that values our serializer
    /// refuses to write (lone surrogates) are carried as JSON escapes, as other SDKs send them.
    /// </summary>
    public static string SendMessageJson(string queueUrl, string body, Dictionary<string, MessageAttributeValue> attributes)
    {
        var json = new StringBuilder();
        json.Append("{\"QueueUrl\":\"").Append(Escape(queueUrl)).Append("\",\"MessageBody\":\"").Append(Escape(body)).Append("\",\"MessageAttributes\":{");
        var first = true;
        foreach (var (name, value) in attributes)
        {
            json.Append(first ? string.Empty : ",").Append('"').Append(Escape(name)).Append("\":{\"DataType\":\"").Append(value.DataType).Append("\",");
            json.Append(value.BinaryValue is { } bytes
                ? "\"BinaryValue\":\"" + Convert.ToBase64String(bytes.ToArray()) + "\"}"
                : "\"StringValue\":\"" + Escape(value.StringValue!) + "\"}");
            first = false;
        }

        return json.Append("}}").ToString();
    }

    /// <summary>Sends <paramref name="json"/> as <c>AmazonSQS.SendMessage</c>; returns <see langword="null"/> on success, else the broker's error.</summary>
    public static async Task<string?> SendRawAsync(HttpClient http, Uri serviceUrl, string json, CancellationToken cancellationToken)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        using var request = new HttpRequestMessage(HttpMethod.Post, serviceUrl) { Content = content };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonSQS.SendMessage");
        using var response = await http.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>
    /// Gets whether AWS SQS accepts these attributes: every <c>String</c> value non-empty and made only of #x9, #xA, #xD,
    /// #x20–#xD7FF, #xE000–#xFFFD and #x10000–#x10FFFF (lone surrogates, most control characters and U+FFFE/U+FFFF are
    /// refused at send); <c>Binary</c> values non-empty. The emulator refuses only empty values, so it lets more through.
    /// </summary>
    public static bool AwsAccepts(Dictionary<string, MessageAttributeValue> attributes) =>
        attributes.Values.All(v => v.BinaryValue is { } bytes ? bytes.Length > 0 : AwsAcceptsText(v.StringValue));

    private static bool AwsAcceptsText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            var c = rune.Value;
            if (!(c is 0x9 or 0xA or 0xD || c is >= 0x20 and <= 0xD7FF || c is >= 0xE000 and <= 0xFFFD || c >= 0x10000))
            {
                return false;
            }

            i += consumed;
        }

        return true;
    }

    /// <summary>JSON string escaping that writes every character outside printable ASCII as <c>\uXXXX</c>, lone surrogates included.</summary>
    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c < 0x20 || c > 0x7E)
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
