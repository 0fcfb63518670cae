using System.Text.Json;

namespace Correlation.Messaging.Timeline.Input.Formats;

/// <summary>
/// Reads OTLP/JSON traces (<c>resourceSpans[].scopeSpans[].spans[]</c>) into <see cref="SpanRecord"/>s. The correlation ID
/// comes from <c>messaging.message.conversation_id</c> (the OpenTelemetry messaging convention), else <c>correlation.id</c>
/// or <c>correlation_id</c>; a span with none of them is kept for the trace-ID join.
/// </summary>
internal static class OtlpSpans
{
    private static readonly string[] CorrelationKeys = ["messaging.message.conversation_id", "correlation.id", "correlation_id"];
    private static readonly string[] CausationKeys = ["messaging.message.causation_id", "causation.id", "causation_id", "correlation.causation_id"];
    private static readonly string[] MessageKeys = ["messaging.message.id", "message.id", "message_id"];

    public static LineOutcome Read(JsonElement resourceSpans, in LineOrigin origin, IRecordSink sink, ReadStatistics statistics)
    {
        var outcome = LineOutcome.NoCorrelationId;
        foreach (var resourceSpan in resourceSpans.EnumerateArray())
        {
            if (resourceSpan.ValueKind != JsonValueKind.Object || !Envelopes.TryArray(resourceSpan, "scopeSpans", out var scopeSpans))
            {
                continue;
            }

            var resourceAttributes = resourceSpan.TryGetProperty("resource", out var resource) ? OtlpAttributes.Of(resource) : default;
            var service = OtlpAttributes.ServiceName(resourceAttributes) ?? origin.FileStem ?? "unknown";
            foreach (var scopeSpan in scopeSpans.EnumerateArray())
            {
                if (scopeSpan.ValueKind != JsonValueKind.Object || !Envelopes.TryArray(scopeSpan, "spans", out var spans))
                {
                    continue;
                }

                foreach (var span in spans.EnumerateArray())
                {
                    if (TryRead(span, service, origin, sink.NextSequence(), out var record))
                    {
                        statistics.Spans++;
                        sink.Add(record);
                        outcome = LineOutcome.Record;
                    }
                    else
                    {
                        statistics.Malformed++;
                    }
                }
            }
        }

        return outcome;
    }

    private static bool TryRead(JsonElement span, string service, in LineOrigin origin, long sequence, out SpanRecord record)
    {
        record = null!;
        if (span.ValueKind != JsonValueKind.Object
            || Id(span, "traceId") is not { } traceId
            || Id(span, "spanId") is not { } spanId
            || !ValueConverters.TryGetUnixNanos(span.TryGetProperty("startTimeUnixNano", out var s) ? s : null, out var start))
        {
            return false;
        }

        if (!ValueConverters.TryGetUnixNanos(span.TryGetProperty("endTimeUnixNano", out var e) ? e : null, out var end) || end < start)
        {
            end = start;
        }

        var attributes = OtlpAttributes.Of(span);
        var kind = span.TryGetProperty("kind", out var k) ? k.ValueKind switch
        {
            JsonValueKind.Number when k.TryGetInt32(out var n) && n is >= 0 and <= 5 => (SpanKind)n,
            JsonValueKind.String => ParseKind(k.GetString()),
            _ => SpanKind.Unspecified,
        } : SpanKind.Unspecified;

        var links = new List<(string, string)>();
        if (Envelopes.TryArray(span, "links", out var linkArray))
        {
            foreach (var link in linkArray.EnumerateArray())
            {
                if (link.ValueKind == JsonValueKind.Object && Id(link, "traceId") is { } lt && Id(link, "spanId") is { } ls)
                {
                    links.Add((lt, ls));
                }
            }
        }

        var isError = false;
        string? statusMessage = null;
        if (span.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object)
        {
            if (status.TryGetProperty("code", out var code))
            {
                isError = code.ValueKind switch
                {
                    JsonValueKind.Number => code.TryGetInt32(out var c) && c == 2,
                    JsonValueKind.String => code.GetString() is "STATUS_CODE_ERROR" or "2" or "Error" or "ERROR",
                    _ => false,
                };
            }

            statusMessage = status.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        }

        record = new SpanRecord
        {
            TraceId = traceId,
            SpanId = spanId,
            ParentSpanId = Id(span, "parentSpanId"),
            Name = span.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() ?? string.Empty : string.Empty,
            Kind = kind,
            Start = start,
            End = end,
            Service = service,
            CorrelationId = ValueConverters.TrimmedText(OtlpAttributes.Find(attributes, CorrelationKeys)),
            MessageId = ValueConverters.TrimmedText(OtlpAttributes.Find(attributes, MessageKeys)),
            CausationId = ValueConverters.TrimmedText(OtlpAttributes.Find(attributes, CausationKeys)),
            Depth = ValueConverters.TryGetInt(OtlpAttributes.Find(attributes, FieldNames.Depth), out var depth, out _) && depth >= 0 ? depth : null,
            PreviousCorrelationId = ValueConverters.TrimmedText(OtlpAttributes.Find(attributes, FieldNames.PreviousCorrelationId)),
            Links = links,
            IsError = isError,
            StatusMessage = statusMessage,
            Source = origin.Source,
            LineNumber = origin.LineNumber,
            Sequence = sequence,
        };
        return true;
    }

    private static SpanKind ParseKind(string? text) => text switch
    {
        "SPAN_KIND_INTERNAL" => SpanKind.Internal,
        "SPAN_KIND_SERVER" => SpanKind.Server,
        "SPAN_KIND_CLIENT" => SpanKind.Client,
        "SPAN_KIND_PRODUCER" => SpanKind.Producer,
        "SPAN_KIND_CONSUMER" => SpanKind.Consumer,
        _ => SpanKind.Unspecified,
    };

    /// <summary>Reads a hex span or trace ID in lower case; empty and all-zero IDs are none.</summary>
    private static string? Id(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString();
        if (string.IsNullOrEmpty(text) || text.Length > 64 || !text.AsSpan().ContainsAnyExcept('0'))
        {
            return null;
        }

        return text.ToLowerInvariant();
    }
}
