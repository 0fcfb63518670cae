using System.Globalization;
using Correlation.Messaging.Timeline.Input;
using Correlation.Messaging.Timeline.Rendering;

namespace Correlation.Messaging.Timeline.Traces;

/// <summary>
/// Joins OpenTelemetry spans to flows and turns them into records of the flow: each span becomes a start and an end
/// record of the message handling it belongs to, so that a handling's bar spans its spans and its log lines are ticks
/// on it. The handling of a span is its nearest consumer or server ancestor (or itself); a consumer's cause is the
/// handling of the producer span it links to (or is a child of): producer → consumer links are the causation edges.
/// </summary>
internal static class SpanJoin
{
    /// <summary>Assigns each span a correlation ID: its own attribute, else that of a log line or span of the same trace.</summary>
    public static Dictionary<string, List<SpanRecord>> ByFlow(IEnumerable<SpanRecord> spans, IEnumerable<LogRecord> records)
    {
        var spanList = spans as IReadOnlyCollection<SpanRecord> ?? spans.ToList();
        var traceToFlow = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.TraceId is not null && record.Kind == RecordKind.Log)
            {
                traceToFlow.TryAdd(record.TraceId, record.CorrelationId);
            }
        }

        foreach (var span in spanList)
        {
            if (span.CorrelationId is not null)
            {
                traceToFlow.TryAdd(span.TraceId, span.CorrelationId);
            }
        }

        var byFlow = new Dictionary<string, List<SpanRecord>>(StringComparer.Ordinal);
        foreach (var span in spanList)
        {
            var flow = span.CorrelationId ?? traceToFlow.GetValueOrDefault(span.TraceId);
            if (flow is null)
            {
                continue;
            }

            if (!byFlow.TryGetValue(flow, out var list))
            {
                byFlow[flow] = list = [];
            }

            list.Add(span);
        }

        return byFlow;
    }

    /// <summary>Turns the spans of one flow into start and end records.</summary>
    public static IEnumerable<LogRecord> ToRecords(string correlationId, IReadOnlyList<SpanRecord> spans)
    {
        var byId = new Dictionary<string, SpanRecord>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            byId.TryAdd(span.SpanId, span);
        }

        SpanRecord HandlingOf(SpanRecord span)
        {
            var node = span;
            for (var guard = 0; guard < 256; guard++)
            {
                if (node.Kind is SpanKind.Consumer or SpanKind.Server || node.ParentSpanId is null || !byId.TryGetValue(node.ParentSpanId, out var parent))
                {
                    return node;
                }

                node = parent;
            }

            return node;
        }

        string? MessageIdOf(SpanRecord handling) =>
            handling.MessageId ?? (handling.Kind == SpanKind.Consumer ? "span:" + handling.SpanId : null);

        string? CauseOf(SpanRecord handling)
        {
            if (handling.CausationId is not null)
            {
                return handling.CausationId;
            }

            if (handling.Kind != SpanKind.Consumer)
            {
                return null;
            }

            // OpenTelemetry's messaging conventions: the consumer links to (or is a child of) the producer's span.
            foreach (var (_, spanId) in handling.Links)
            {
                if (byId.TryGetValue(spanId, out var linked))
                {
                    return MessageIdOf(HandlingOf(linked));
                }
            }

            if (handling.ParentSpanId is not null && byId.TryGetValue(handling.ParentSpanId, out var parent))
            {
                return MessageIdOf(HandlingOf(parent));
            }

            return null;
        }

        // The hop depth from the links when the spans do not carry it: the edge is 0, a consumer one more than its producer's handling.
        int? DepthOf(SpanRecord handling)
        {
            var depth = 0;
            var node = handling;
            for (var guard = 0; guard < 64; guard++)
            {
                if (node.Kind != SpanKind.Consumer)
                {
                    return node.ParentSpanId is null || !byId.ContainsKey(node.ParentSpanId) ? depth : null;
                }

                var producer = node.Links.Select(l => byId.GetValueOrDefault(l.SpanId)).FirstOrDefault(static s => s is not null)
                    ?? (node.ParentSpanId is null ? null : byId.GetValueOrDefault(node.ParentSpanId));
                if (producer is null)
                {
                    return null;
                }

                node = HandlingOf(producer);
                depth++;
            }

            return null;
        }

        // A message consumed again by the same service is a redelivery: its second consumer span is retry 1, and so on.
        var retryOf = spans
            .Where(static s => s.Kind == SpanKind.Consumer && s.MessageId is not null)
            .GroupBy(static s => (s.MessageId, s.Service))
            .SelectMany(static g => g.OrderBy(static s => s.Start).Select(static (s, i) => (s.SpanId, Retry: i)))
            .ToDictionary(static p => p.SpanId, static p => p.Retry, StringComparer.Ordinal);

        foreach (var span in spans)
        {
            var handling = HandlingOf(span);
            var retry = retryOf.GetValueOrDefault(span.SpanId);
            var messageId = MessageIdOf(handling);
            var cause = CauseOf(handling);
            var duration = Display.Duration(span.End - span.Start);
            var kind = span.Kind == SpanKind.Unspecified ? "span" : span.Kind.ToString().ToLowerInvariant() + " span";
            var common = new LogRecord
            {
                Timestamp = span.Start,
                CorrelationId = correlationId,
                CausationId = cause,
                MessageId = messageId,
                Service = span.Service,
                Step = string.Create(CultureInfo.InvariantCulture, $"▸ {span.Name} ({kind}, {duration})"),
                Message = span.Name,
                Depth = handling.Depth ?? span.Depth ?? DepthOf(handling),
                RetryNumber = retry > 0 ? retry : null,
                IsRetry = retry > 0,
                PreviousCorrelationId = span.PreviousCorrelationId,
                TraceId = span.TraceId,
                Kind = RecordKind.SpanStart,
                SpanName = span.Name,
                Source = span.Source,
                LineNumber = span.LineNumber,
                Sequence = span.Sequence,
            };
            yield return common;
            yield return common with
            {
                RetryNumber = null,
                IsRetry = false,
                Timestamp = span.End,
                Kind = RecordKind.SpanEnd,
                Step = span.IsError ? $"✕ {span.Name} failed" + (span.StatusMessage is null ? string.Empty : ": " + span.StatusMessage) : $"{span.Name} ended",
                Severity = span.IsError ? Severity.Error : Severity.Information,
                IsFailure = span.IsError,
                Exception = span.IsError ? span.StatusMessage : null,
            };
        }
    }
}
