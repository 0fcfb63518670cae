using System.Net.Http.Headers;
using System.Text;
using Correlation.Messaging.AspNetCore.Logging;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Validation;
using CorrelationMetrics = Correlation.Messaging.Logging.CorrelationMetrics;

namespace Correlation.Messaging.AspNetCore.Outgoing;

/// <summary>
/// Writes the ambient correlation (and causation) ID to every outgoing request.
/// </summary>
/// <remarks>
/// <para>With an ambient context, its IDs are written, replacing any value already on the request: one flow, one ID.</para>
/// <para>Without one, a request that already carries a valid correlation header (set by the caller, or by an earlier
/// attempt of the same request message through this handler) keeps it; otherwise an ID is generated once (logged and
/// counted) and stays on the request message, so retries that resend the message through this handler keep it.</para>
/// <para>HTTP carries ASCII only. An ambient ID that is not ASCII (possible only when a broker trusted it) is not
/// written: the request is sent without it, with warning 404 <c>CorrelationIdNotSentOverHttp</c>.</para>
/// </remarks>
internal sealed class CorrelationPropagationHandler(CorrelationPropagator propagator) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Apply(request);
        return base.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Apply(request);
        return base.Send(request, cancellationToken);
    }

    private void Apply(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The ambient context; else a valid ID the request already carries (a retry, or the caller's); else a new one.
        var context = propagator.GetOutgoingContext(request.Headers, static (headers, name) =>
            headers.TryGetValues(name, out var values) && values.LastOrDefault() is { } last ? InboundHeaderValue.FromText(last) : InboundHeaderValue.Missing);
        if (Ascii.IsValid(context.CorrelationId) && (context.MessageId is null || Ascii.IsValid(context.MessageId)))
        {
            propagator.Inject(context, request.Headers, Setter);
            return;
        }

        // HTTP carries ASCII only (SocketsHttpHandler throws on anything else, failing the whole call): an ID trusted on a
        // broker that is not ASCII stays off the wire, and the call is still made.
        request.Headers.Remove(propagator.HeaderName);
        request.Headers.Remove(propagator.CausationHeaderName);
        if (Ascii.IsValid(context.CorrelationId))
        {
            Setter(request.Headers, propagator.HeaderName, new OutboundHeaderValue(context, isMessageId: false));
        }
        else
        {
            Log.CorrelationIdNotSentOverHttp(propagator.Logger, propagator.HeaderName, CorrelationIdValidator.Sanitize(context.CorrelationId));
            CorrelationMetrics.Degraded.Add(1, new KeyValuePair<string, object?>("broker", "http"), new KeyValuePair<string, object?>("reason", "non_ascii"));
        }

        if (context.MessageId is not null && Ascii.IsValid(context.MessageId))
        {
            Setter(request.Headers, propagator.CausationHeaderName, new OutboundHeaderValue(context, isMessageId: true));
        }

        // The flow header is always ASCII (origin and previous ID pass the strict ID rules).
        Setter(request.Headers, propagator.FlowHeaderName, propagator.FlowValue(context));
    }

    private static void Setter(HttpRequestHeaders headers, string name, OutboundHeaderValue value)
    {
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, value.Text);
    }
}
