using Correlation.Messaging;
using Correlation.Messaging.Propagation;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Snippets;

/// <summary>
/// The snippets of deferred work: the capsule in src/Correlation.Messaging.Core/README.md,
/// src/Correlation.Messaging.Hangfire/README.md and src/Correlation.Messaging.Quartz/README.md.
/// </summary>
internal static class DeferredSnippets
{
    public static void Capsule(CorrelationPropagator propagator, string jobId)
    {
        #region core-capsule
        var capsule = CorrelationContext.Capture();           // CorrelationCapsule.Empty outside any flow, never null
        var stored = capsule.ToString();                       // "v1;<correlation>;<causation>;<traceparent>;<flow>"

        using var scope = CorrelationCapsule.Parse(stored).Restore(propagator, workId: jobId);
        #endregion
    }

    public static void Hangfire(WebApplicationBuilder builder, WebApplication app)
    {
        #region hangfire-quickstart
        builder.Services.AddCorrelation();
        builder.Services.AddHangfire((services, config) => config
            .UseInMemoryStorage()
            .UseCorrelation(services));          // the propagator and logging of AddCorrelation()
        builder.Services.AddHangfireServer();

        // In a handler: the job runs in this request's flow.
        app.MapPost("/orders/{id}/ship", (string id, IBackgroundJobClient jobs) =>
            jobs.Enqueue<ShippingMails>(m => m.SendAsync(id)));
        #endregion
    }

    public static async Task Quartz(WebApplicationBuilder builder, IScheduler scheduler, JobKey jobKey)
    {
        #region quartz-quickstart
        builder.Services.AddCorrelation();
        builder.Services.AddQuartz(q =>
        {
            q.AddCorrelation();                 // first, so other middleware runs inside the flow
        });
        builder.Services.AddQuartzHostedService();

        // In a handler: every firing of this trigger runs in this request's flow.
        var trigger = TriggerBuilder.Create()
            .ForJob(jobKey)
            .StartAt(DateTimeOffset.UtcNow.AddMinutes(5))
            .WithCorrelation()
            .Build();
        await scheduler.ScheduleJob(trigger);

        // Triggering a job now, with a data map:
        await scheduler.TriggerJob(jobKey, new JobDataMap().WithCorrelation());
        #endregion
    }

    internal sealed class ShippingMails
    {
        public Task SendAsync(string orderId) => Task.CompletedTask;
    }
}
