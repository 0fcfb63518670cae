using Correlation.Messaging.Propagation;

namespace Correlation.Messaging.AspNetCore.Outgoing;

/// <summary>
/// Writes the ambient correlation (and causation) ID to every outgoing request.
/// </summary>
/// <remarks>
/// <para>With an ambient context, its IDs are written, replacing any value already on the request: one flow, one ID.</para>
/// <para>Without one, a request that already carries the correlation header (set by the caller, or by an earlier
/// attempt of the same request message through this handler) is left as it is; otherwise an ID is generated once, with
/// <see cref="CorrelationPropagator.GetOutgoingContext"/> (logged and counted), and stays on the request message, so
/// retries that resend the message through this handler keep it.</para>
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
        var context = CorrelationContext.Current;
        if (context is null)
        {
            if (request.Headers.Contains(propagator.HeaderName))
            {
                return;
            }

            context = propagator.GetOutgoingContext();
        }

        propagator.Inject(context, request.Headers, static (headers, name, value) =>
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value.Text);
        });
    }
}
