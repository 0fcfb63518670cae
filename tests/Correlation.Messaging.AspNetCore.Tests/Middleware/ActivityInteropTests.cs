using System.Collections.Concurrent;
using System.Diagnostics;
using Correlation.Messaging.AspNetCore.Tests.Infrastructure;
using Correlation.Messaging.TestSupport;

namespace Correlation.Messaging.AspNetCore.Tests.Middleware;

public sealed class ActivityInteropTests
{
    [Fact]
    public async Task UseCorrelation_RecordedRequestActivity_IsTaggedWithCorrelationId()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "Microsoft.AspNetCore",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.TraceId == traceId)
                {
                    stopped.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync(HostKind.TestServer, Echo.Map);
        using var request = Echo.Request("/echo", "activity-flow");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);

        (await Eventually.TrueAsync(() => !stopped.IsEmpty, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).ShouldBeTrue();
        stopped.Single().GetTagItem("messaging.message.conversation_id").ShouldBe("activity-flow");
    }

    [Theory]
    [InlineData(HostKind.TestServer)]
    [InlineData(HostKind.Kestrel)]
    public async Task UseCorrelation_W3CTraceIdFormatAndNoInboundId_UsesTheRequestTraceId(HostKind host)
    {
        var traceId = ActivityTraceId.CreateRandom();
        await using var app = await TestApp.StartAsync(host, Echo.Map, correlation: o => o.IdFormat = CorrelationIdFormat.W3CTraceId);
        using var request = Echo.Request("/echo");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-00");

        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);

        response.Header().ShouldBe(traceId.ToHexString());
    }

    [Fact]
    public async Task UseCorrelation_TagActivityOff_LeavesActivityUntagged()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "Microsoft.AspNetCore",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.TraceId == traceId)
                {
                    stopped.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync(HostKind.TestServer, Echo.Map, http: o => o.TagActivity = false);
        using var request = Echo.Request("/echo", "activity-flow");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);

        (await Eventually.TrueAsync(() => !stopped.IsEmpty, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).ShouldBeTrue();
        stopped.Single().GetTagItem("messaging.message.conversation_id").ShouldBeNull();
    }

    [Fact]
    public async Task UseCorrelation_Default_RequestIdIsTheMessageIdAndNeverTheCorrelationId()
    {
        await using var app = await TestApp.StartAsync(HostKind.TestServer, Echo.Map);
        using var request = Echo.Request("/echo", "request-flow-1");

        using var response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var seen = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SeenContext>(response.Content, TestContext.Current.CancellationToken);

        seen!.CorrelationId.ShouldBe("request-flow-1");
        seen.MessageId.ShouldBe(seen.TraceIdentifier);
        seen.MessageId.ShouldNotBe(seen.CorrelationId);
    }

    [Fact]
    public async Task UseCorrelation_RequestIdAsMessageIdOff_NoMessageId()
    {
        await using var app = await TestApp.StartAsync(HostKind.TestServer, Echo.Map, http: o => o.UseRequestIdAsMessageId = false);
        using var response = await app.Client.SendAsync(Echo.Request("/echo", "request-flow-2"), TestContext.Current.CancellationToken);
        var seen = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SeenContext>(response.Content, TestContext.Current.CancellationToken);

        seen!.MessageId.ShouldBeNull();
    }
}
