using System.Net.Mime;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Correlation.Messaging;
using Correlation.Messaging.CloudEvents;
using Correlation.Messaging.Propagation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Snippets;

/// <summary>The snippets of src/Correlation.Messaging.CloudEvents/README.md.</summary>
internal static class CloudEventsSnippets
{
    public static void BinaryMode(WebApplicationBuilder builder)
    {
        #region cloudevents-binary
        builder.Services.AddCorrelation(o => o.AddCloudEventsBinaryMode(CloudEventsTransport.Kafka)); // ce_correlationid, ce_causationid
        #endregion
    }

    public static string? StructuredMode(CloudEvent cloudEvent, CorrelationPropagator propagator)
    {
        var formatter = new JsonEventFormatter();

        #region cloudevents-structured
        var body = formatter.EncodeStructuredModeMessage(cloudEvent.SetCorrelation(propagator), out var contentType);

        // In the handler of the received body:
        var received = formatter.DecodeStructuredModeMessage(body, contentType, CloudEventCorrelation.Attributes);
        using (received.BeginCorrelationScope(propagator))
        {
            // CorrelationContext.Current: the event's correlationid and causationid; its id is the handled message's ID.
        }
        #endregion
        return CorrelationContext.Current?.CorrelationId;
    }
}
