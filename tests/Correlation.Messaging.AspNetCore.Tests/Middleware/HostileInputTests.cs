using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Correlation.Messaging.Contracts.Oracle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Correlation.Messaging.AspNetCore.Tests.Middleware;

/// <summary>
/// Generated <c>X-Correlation-ID</c> values (CsCheck; <see cref="WireValueGen"/>) through the middleware, each judged by
/// <see cref="WireFormatOracle"/>, an independent reading of docs/wire-format.md, under every policy: as text on the
/// in-memory test server (every kind, lone surrogates included), and as raw request bytes on a real Kestrel, which
/// itself refuses what HTTP cannot carry (control bytes, non-ASCII) before the middleware sees it. HTTP's failure path
/// for a rejected ID is a 400 that still carries a (new) <c>X-Correlation-ID</c>. Replay with the printed <c>ORACLE_SEED</c>.
/// </summary>
public sealed class HostileInputTests
{
    private const string Header = "X-Correlation-ID";
    private const int PerKind = 15;

    private static readonly WireCapabilities HttpText = new(Text: true, Bytes: false, Null: false, []);
    private static readonly WireCapabilities HttpBytes = new(Text: false, Bytes: true, Null: false, []);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void WriteLine(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        TestContext.Current.SendDiagnosticMessage(line);
    }

    [Theory]
    [InlineData(InvalidCorrelationIdPolicy.Regenerate)]
    [InlineData(InvalidCorrelationIdPolicy.Reject)]
    [InlineData(InvalidCorrelationIdPolicy.Trust)]
    public async Task TestServer_GeneratedTextValues_MatchTheWireFormatDocument(InvalidCorrelationIdPolicy policy)
    {
        var (values, seed) = WireValueGen.Batch(WireValueGen.Stratified(HttpText, PerKind));
        var label = $"HTTP (test server), {WireValueGen.SeedVariable}={seed}";
        WriteLine(label);
        var seen = new ConcurrentDictionary<int, (string Id, CorrelationIdSource Source)>();
        await using var app = await TestApp.StartAsync(HostKind.TestServer, a => MapSeen(a, seen), c => c.InvalidIdPolicy = policy);
        var server = app.App.GetTestServer();

        var check = new OracleCheck(policy, label, WireFormatOracle.Http);
        for (var i = 0; i < values.Length; i++)
        {
            var index = i;
            var context = await server.SendAsync(
                http =>
                {
                    http.Request.Method = "GET";
                    http.Request.Path = "/seen/" + index.ToString(CultureInfo.InvariantCulture);
                    http.Request.Headers[Header] = values[index].Text;
                },
                Ct);
            Observe(check, values[i], seen, i, context.Response.StatusCode, context.Response.Headers[Header].ToString());
        }

        WriteLine($"{label}: {check.Summary()}");
        check.ThrowIfAnyMismatch();
        check.RequireMinimumPerKind(PerKind, [.. values.Select(v => v.Kind).Distinct()]);
        OracleProperties.NothingUnsafeLogged(app.Logs, label);
    }

    [Theory]
    [InlineData(InvalidCorrelationIdPolicy.Regenerate)]
    [InlineData(InvalidCorrelationIdPolicy.Reject)]
    [InlineData(InvalidCorrelationIdPolicy.Trust)]
    public async Task Kestrel_GeneratedRawHeaderBytes_MatchTheWireFormatDocumentOrRefusedByKestrel(InvalidCorrelationIdPolicy policy)
    {
        var (values, seed) = WireValueGen.Batch(WireValueGen.Stratified(HttpBytes, PerKind));
        var label = $"HTTP (Kestrel), {WireValueGen.SeedVariable}={seed}";
        WriteLine(label);
        var seen = new ConcurrentDictionary<int, (string Id, CorrelationIdSource Source)>();
        await using var app = await TestApp.StartAsync(HostKind.Kestrel, a => MapSeen(a, seen), c => c.InvalidIdPolicy = policy);

        var check = new OracleCheck(policy, label, WireFormatOracle.Http);
        var refused = new ConcurrentDictionary<WireKind, int>();
        var unanswered = new List<string>();
        for (var i = 0; i < values.Length; i++)
        {
            // CR, LF and NUL end or break the header line: HTTP/1.1 cannot carry them in a field value at all.
            if (values[i].Bytes!.Any(b => b is (byte)'\r' or (byte)'\n' or 0))
            {
                refused.AddOrUpdate(values[i].Kind, 1, static (_, n) => n + 1);
                continue;
            }

            var (status, responseId) = await RawGetAsync(app.BaseAddress, i, values[i].Bytes!);
            if (responseId is null && status == 400 && !seen.ContainsKey(i))
            {
                // Kestrel answered before the middleware ran (400 for control bytes or an over-long line).
                refused.AddOrUpdate(values[i].Kind, 1, static (_, n) => n + 1);
                continue;
            }

            if (responseId is null || (seen.ContainsKey(i) && status != 200))
            {
                unanswered.Add($"{values[i]}: {status} {(responseId is null ? "without" : "with")} {Header}, handler {(seen.ContainsKey(i) ? "ran" : "not run")}");
                continue;
            }

            // An HTTP field value never includes leading or trailing white space (RFC 9110, 5.5): judge what HTTP delivers.
            var delivered = WireValue.OfBytes(values[i].Kind, [.. values[i].Bytes!.SkipWhile(IsOws).Reverse().SkipWhile(IsOws).Reverse()]);
            Observe(check, delivered, seen, i, status, responseId);
        }

        WriteLine($"{label}: {check.Summary()}; refused by Kestrel: {string.Join(", ", refused.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}");
        check.ThrowIfAnyMismatch();

        // Issue 13, defect 1 (fixed): under Trust a non-ASCII ID reached the handler, and Kestrel then could not set the
        // response header, so the client got no X-Correlation-ID (or a 500). HTTP now replaces it (wire format, "HTTP"):
        // every request the middleware lets through is answered with its ID.
        unanswered.ShouldBeEmpty($"{label}: requests handled but answered without their ID");
        check.RequireMinimumPerKind(PerKind, WireKind.Valid, WireKind.TooLong, WireKind.EmptyOrWhitespace);
        check.RequireMinimumPerKind(5, WireKind.OutsideAllowedSet);
        OracleProperties.NothingUnsafeLogged(app.Logs, label);
    }

    private static bool IsOws(byte b) => b is (byte)' ' or (byte)'\t';

    private static void MapSeen(WebApplication app, ConcurrentDictionary<int, (string Id, CorrelationIdSource Source)> seen) =>
        app.MapGet("/seen/{index:int}", (int index) =>
        {
            var current = CorrelationContext.Current!;
            seen[index] = (current.CorrelationId, current.Source);
            return Results.Ok();
        });

    /// <summary>The handler ran (its ID and source), or the middleware answered 400 with a new ID of its own: the failure path.</summary>
    private static void Observe(OracleCheck check, WireValue value, ConcurrentDictionary<int, (string Id, CorrelationIdSource Source)> seen, int index, int status, string? responseId)
    {
        if (seen.TryGetValue(index, out var handled))
        {
            check.Observe(value, handled.Id, handled.Source, onFailurePath: false);
        }
        else
        {
            check.Observe(value, null, null, onFailurePath: status == 400 && !string.IsNullOrEmpty(responseId));
        }
    }

    /// <summary>A hand-written request whose header value is exactly <paramref name="value"/>'s bytes; returns the status and the response's ID.</summary>
    private static async Task<(int Status, string? ResponseId)> RawGetAsync(Uri baseAddress, int index, byte[] value)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, Ct);
        await using var stream = tcp.GetStream();
        var head = Encoding.ASCII.GetBytes($"GET /seen/{index} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nConnection: close\r\n{Header}: ");
        await stream.WriteAsync((byte[])[.. head, .. value, .. "\r\n\r\n"u8], Ct);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var response = await reader.ReadToEndAsync(Ct);
        var status = int.Parse(response.AsSpan(9, 3), CultureInfo.InvariantCulture);
        var idLine = response.Split("\r\n").FirstOrDefault(l => l.StartsWith(Header + ":", StringComparison.OrdinalIgnoreCase));
        return (status, idLine?[(Header.Length + 1)..].Trim());
    }
}
