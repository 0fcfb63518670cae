using System.Collections.Concurrent;
using MassTransit;

namespace Correlation.Messaging.MassTransit.Internal;

/// <summary>
/// Short message type names (<c>OrderPlaced</c>) for the flow diagnostics. Used only while a flow recorder listens.
/// </summary>
internal static class MessageTypeNames
{
    private static readonly ConcurrentDictionary<Type, string?> SendContextTypes = new();

    /// <summary>Returns the message type name of a send or publish context (a <c>SendContext&lt;T&gt;</c>), or <see langword="null"/>.</summary>
    /// <param name="context">The send or publish context.</param>
    /// <returns>The name of <c>T</c>.</returns>
    public static string? Of(SendContext context) => SendContextTypes.GetOrAdd(context.GetType(), static type =>
    {
        foreach (var candidate in type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(SendContext<>))
            {
                return Readable(candidate.GetGenericArguments()[0]);
            }
        }

        return null;
    });

    /// <summary>Returns the address's queue or exchange: the last segment of its path; for a message type's exchange or URN, the type name.</summary>
    /// <param name="address">A destination or input address.</param>
    /// <returns>The short name, or <see langword="null"/>.</returns>
    public static string? Destination(Uri? address)
    {
        if (address is null)
        {
            return null;
        }

        var path = address.AbsolutePath.Trim('/');
        var slash = path.LastIndexOf('/');
        path = slash >= 0 ? path[(slash + 1)..] : path;
        // urn:message:Orders:OrderPlaced (in-memory) and Orders:OrderPlaced (a RabbitMQ exchange) both name the type.
        return path.Contains(':', StringComparison.Ordinal) ? FromUrn(path) : path;
    }

    /// <summary>Returns the name of the first message type of a consumed message (<c>urn:message:Orders:OrderPlaced</c> gives <c>OrderPlaced</c>), or <see langword="null"/>.</summary>
    /// <param name="context">The consume context.</param>
    /// <returns>The name.</returns>
    public static string? Of(ConsumeContext context)
    {
        var urn = context.SupportedMessageTypes.FirstOrDefault();
        return urn is null ? null : FromUrn(urn);
    }

    /// <summary><c>urn:message:Orders:OrderPlaced</c> gives <c>OrderPlaced</c>; <c>urn:message:MassTransit:Fault[[Orders:OrderPlaced]]</c> gives <c>Fault&lt;OrderPlaced&gt;</c>.</summary>
    private static string FromUrn(string urn)
    {
        var open = urn.IndexOf("[[", StringComparison.Ordinal);
        var name = open >= 0 ? urn[..open] : urn;
        var colon = name.LastIndexOf(':');
        name = colon >= 0 ? name[(colon + 1)..] : name;
        if (open < 0)
        {
            return name;
        }

        var inner = urn[(open + 2)..].TrimEnd(']');
        return name + "<" + FromUrn(inner) + ">";
    }

    private static string Readable(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick >= 0 ? name[..tick] : name) + "<" + string.Join(",", type.GetGenericArguments().Select(Readable)) + ">";
    }
}
