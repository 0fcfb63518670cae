// Generates demo-shaped JSON logs for corr-timeline's benchmark: FLOWS flows across 20 services, written in four log
// formats (Microsoft JSON console, Serilog CLEF, NLog JsonLayout, Elastic Common Schema) into FILES files (10 per
// service), with uncorrelated noise lines between them, until about SIZE_MB megabytes are written. Deterministic (seed 18).
//   dotnet run bench/timeline/generate-logs.cs -- <dir> [SIZE_MB=1024] [FLOWS=1000] [FILES=200]
// Prints the correlation ID of a flow in the middle, to search for.
using System.Globalization;
using System.Text;

var dir = args.Length > 0 ? args[0] : "timeline-bench-logs";
var sizeMb = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1024;
var flowCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
var fileCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200;
const int Services = 20;
var random = new Random(18);
Directory.CreateDirectory(dir);
var formats = new[] { "json-console", "clef", "nlog", "ecs" };
var writers = Enumerable.Range(0, fileCount).Select(i =>
{
    var service = i % Services;
    var path = Path.Combine(dir, $"svc{service:00}-{formats[service % 4]}-{i / Services:00}.log");
    return new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
}).ToArray();
var budgetPerFlow = sizeMb * 1024 * 1024 / flowCount;
var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
string? middle = null;
long written = 0;
var line = new StringBuilder(1024);

for (var f = 0; f < flowCount; f++)
{
    var correlationId = new Guid(random.NextInt64().ToString("x16", CultureInfo.InvariantCulture) + random.NextInt64().ToString("x16", CultureInfo.InvariantCulture)).ToString();
    if (f == flowCount / 2)
    {
        middle = correlationId;
    }

    var time = start.AddSeconds(f * 3.7);
    long flowBytes = 0;
    var pending = new Queue<(string? MessageId, string? Cause, int Depth, int Service)>();
    pending.Enqueue((null, null, 0, 0));
    var messageNumber = 0;
    while (flowBytes < budgetPerFlow)
    {
        if (pending.Count == 0)
        {
            pending.Enqueue((null, null, 0, 0)); // another request at the edge of the same flow
        }

        var (messageId, cause, depth, service) = pending.Dequeue();
        var lines = 3 + random.Next(4);
        var fail = random.Next(40) == 0;
        for (var l = 0; l < lines; l++)
        {
            time = time.AddMilliseconds(1 + random.Next(5));
            var level = fail && l == lines - 2 ? "Error" : "Information";
            var text = l == 0 ? $"Consuming message {messageNumber} at hop {depth}" : $"Step {l} of handling message {messageNumber} for order {f * 1000 + messageNumber}, looked up {random.Next(100)} rows";
            var w = writers[service + (Services * random.Next(fileCount / Services))];
            Format(line, formats[service % 4], time, level, $"Svc{service:00}.Handler", text, correlationId, messageId, cause, depth, $"svc-{service:00}");
            w.Write(line);
            flowBytes += line.Length;

            // Uncorrelated noise: health checks and start-up lines, about a third of the lines.
            if (random.Next(3) == 0)
            {
                Noise(line, formats[service % 4], time, $"svc-{service:00}");
                w.Write(line);
                flowBytes += line.Length;
            }
        }

        var children = depth >= 6 ? 0 : random.Next(4);
        for (var c = 0; c < children; c++)
        {
            pending.Enqueue(($"01JE{f:000000}{++messageNumber:0000000000000000}", messageId, depth + 1, 1 + random.Next(Services - 1)));
        }
    }

    written += flowBytes;
}

foreach (var w in writers)
{
    w.Dispose();
}

Console.WriteLine($"wrote {written / 1e6:0} MB in {fileCount} files, {flowCount} flows; a flow in the middle: {middle}");

static void Format(StringBuilder b, string format, DateTime t, string level, string category, string message, string id, string? messageId, string? cause, int depth, string service)
{
    b.Clear();
    var ts = t.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    var ids = new StringBuilder().Append("\"correlation_id\":\"").Append(id).Append('"');
    if (messageId is not null)
    {
        ids.Append(",\"message_id\":\"").Append(messageId).Append('"');
    }

    if (cause is not null)
    {
        ids.Append(",\"causation_id\":\"").Append(cause).Append('"');
    }

    ids.Append(",\"correlation_depth\":").Append(depth).Append(",\"correlation_origin\":\"svc-00\"");
    switch (format)
    {
        case "json-console":
            b.Append("{\"Timestamp\":\"").Append(ts).Append("\",\"EventId\":0,\"LogLevel\":\"").Append(level).Append("\",\"Category\":\"").Append(category)
             .Append("\",\"Message\":\"").Append(message).Append("\",\"State\":{\"Message\":\"").Append(message).Append("\",\"{OriginalFormat}\":\"").Append(message)
             .Append("\"},\"Scopes\":[{\"Message\":\"SpanId:0f2b, TraceId:9c1e, ParentId:0000\",\"SpanId\":\"0f2b\"},{").Append(ids).Append(",\"service\":\"").Append(service).Append("\"}]}\n");
            break;
        case "clef":
            b.Append("{\"@t\":\"").Append(ts).Append("\",\"@mt\":\"").Append(message).Append('"').Append(level == "Error" ? ",\"@l\":\"Error\",\"@x\":\"System.TimeoutException: timed out\"" : string.Empty)
             .Append(",\"SourceContext\":\"").Append(category).Append("\",").Append(ids).Append(",\"service\":\"").Append(service).Append("\"}\n");
            break;
        case "nlog":
            b.Append("{\"time\":\"").Append(ts).Append("\",\"level\":\"").Append(level.ToUpperInvariant()).Append("\",\"logger\":\"").Append(category)
             .Append("\",\"message\":\"").Append(message).Append("\",").Append(ids).Append(",\"service\":\"").Append(service).Append("\"}\n");
            break;
        default:
            b.Append("{\"@timestamp\":\"").Append(ts).Append("\",\"log.level\":\"").Append(level).Append("\",\"message\":\"").Append(message)
             .Append("\",\"ecs.version\":\"8.11.0\",\"log\":{\"logger\":\"").Append(category).Append("\"},\"service\":{\"name\":\"").Append(service).Append("\"},\"labels\":{").Append(ids).Append("}}\n");
            break;
    }
}

static void Noise(StringBuilder b, string format, DateTime t, string service)
{
    b.Clear();
    var ts = t.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    b.Append("{\"Timestamp\":\"").Append(ts).Append("\",\"LogLevel\":\"Information\",\"Category\":\"Microsoft.AspNetCore.Hosting.Diagnostics\",\"Message\":\"Request finished HTTP/1.1 GET http://").Append(service)
     .Append(":8080/health - 200 - text/plain 0.4120ms\",\"format\":\"").Append(format).Append("\"}\n");
}
