using System.Diagnostics;

namespace Correlation.Messaging.Tracing;

/// <summary>
/// The span attributes every adapter writes, in one place: the OpenTelemetry messaging convention's
/// <c>messaging.message.conversation_id</c> for the correlation ID, <c>messaging.message.id</c>, the causation ID, and
/// the opt-in <c>correlation.id</c> alias of earlier releases.
/// </summary>
/// <remarks>
/// MassTransit writes its own <c>ConversationId</c> (a GUID) to <c>messaging.message.conversation_id</c>. On its spans that
/// value is kept as <c>messaging.masstransit.conversation_id</c> and the attribute is set to the correlation ID, so one
/// attribute finds a flow on every span.
/// </remarks>
internal static class CorrelationSpanAttributes
{
    /// <summary>The OpenTelemetry messaging attribute that carries the correlation ID: <c>messaging.message.conversation_id</c>.</summary>
    public const string ConversationId = "messaging.message.conversation_id";

    /// <summary>The OpenTelemetry messaging attribute of the message's own ID: <c>messaging.message.id</c>.</summary>
    public const string MessageId = "messaging.message.id";

    /// <summary>The causation ID (the ID of the message that caused this one): <c>correlation.causation_id</c>. No convention names it.</summary>
    public const string CausationId = "correlation.causation_id";

    /// <summary>The attribute of earlier releases, written only with <see cref="CorrelationOptions.EmitLegacyCorrelationIdAttribute"/>: <c>correlation.id</c>.</summary>
    public const string LegacyCorrelationId = "correlation.id";

    /// <summary>Where MassTransit's own conversation ID is kept when the correlation ID takes its attribute.</summary>
    public const string MassTransitConversationId = "messaging.masstransit.conversation_id";

    /// <summary>The name of MassTransit's <see cref="ActivitySource"/>.</summary>
    public const string MassTransitSourceName = "MassTransit";

    /// <summary>
    /// Tags <paramref name="activity"/>, when it records data, with the correlation ID and, when known, the message and
    /// causation IDs. Attributes the span already has for the message and causation IDs are kept.
    /// </summary>
    /// <param name="activity">The span, usually <see cref="Activity.Current"/>; <see langword="null"/> does nothing.</param>
    /// <param name="options">The options (<see cref="CorrelationOptions.EmitLegacyCorrelationIdAttribute"/>).</param>
    /// <param name="correlationId">The correlation ID.</param>
    /// <param name="messageId">The ID of the message the span sends or handles, or <see langword="null"/>.</param>
    /// <param name="causationId">The ID of the message that caused it, or <see langword="null"/>.</param>
    public static void Tag(Activity? activity, CorrelationOptions options, string? correlationId, string? messageId = null, string? causationId = null)
    {
        if (activity is not { IsAllDataRequested: true } || correlationId is null)
        {
            return;
        }

        if (activity.GetTagItem(ConversationId) is string existing
            && !string.Equals(existing, correlationId, StringComparison.Ordinal)
            && string.Equals(activity.Source.Name, MassTransitSourceName, StringComparison.Ordinal))
        {
            activity.SetTag(MassTransitConversationId, existing);
        }

        activity.SetTag(ConversationId, correlationId);
        if (options.EmitLegacyCorrelationIdAttribute)
        {
            activity.SetTag(LegacyCorrelationId, correlationId);
        }

        if (messageId is not null && activity.GetTagItem(MessageId) is null)
        {
            activity.SetTag(MessageId, messageId);
        }

        if (causationId is not null)
        {
            activity.SetTag(CausationId, causationId);
        }
    }
}
