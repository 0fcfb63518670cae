using Correlation.Messaging;
using Correlation.Messaging.Propagation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Snippets;

/// <summary>The snippets of src/Correlation.Messaging.Core/README.md.</summary>
internal static class CoreSnippets
{
    public static string? QuickStart(WebApplicationBuilder builder)
    {
        #region core-quickstart
        builder.Services.AddCorrelation(o =>
        {
            o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Regenerate; // or Reject, Trust
            o.IdFormat = CorrelationIdFormat.UuidV7;
        });

        // Anywhere in a handler:
        var id = CorrelationContext.Current?.CorrelationId;
        #endregion
        return id;
    }

    public static void Adapter(CorrelationPropagator propagator, TransportMessage message)
    {
        #region core-adapter
        propagator.Inject(propagator.GetOutgoingContext(), message.Headers,
            static (headers, name, value) => headers[name] = value.Text);

        using var scope = propagator.BeginConsumeScope(message.Headers,
            static (headers, name) => headers.TryGetValue(name, out var v) ? InboundHeaderValue.FromText(v) : InboundHeaderValue.Missing,
            messageId: message.Id);
        #endregion
    }

    /// <summary>A transport's message: string headers and an ID.</summary>
    internal sealed class TransportMessage
    {
        public Dictionary<string, string> Headers { get; } = [];

        public string Id { get; } = Guid.NewGuid().ToString();
    }
}
