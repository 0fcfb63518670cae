using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace Correlation.Messaging.AspNetCore;

/// <summary>
/// HTTP-specific options of the correlation middleware. Header names, aliases, validation and the invalid- and
/// missing-ID policies come from <see cref="CorrelationOptions"/>, the same options every broker adapter uses.
/// </summary>
public sealed class CorrelationHttpOptions : IValidatableObject
{
    /// <summary>Gets or sets the response header that echoes the correlation ID.</summary>
    /// <value>The default is <see langword="null"/>: the same name as <see cref="CorrelationOptions.HeaderName"/>.</value>
    public string? ResponseHeaderName { get; set; }

    /// <summary>
    /// Gets the networks whose inbound correlation IDs are trusted, in CIDR notation (<c>10.0.0.0/8</c>,
    /// <c>2001:db8::/32</c>) or as single addresses (<c>10.1.2.3</c>, the same as <c>10.1.2.3/32</c>). They are matched
    /// against <see cref="ConnectionInfo.RemoteIpAddress"/> as the middleware sees it (IPv4-mapped IPv6 addresses are
    /// compared as IPv4).
    /// </summary>
    /// <value>
    /// The default is empty. When this list is empty and <see cref="IsTrustedSource"/> is <see langword="null"/>, every
    /// source is trusted. Otherwise a request that matches neither has its correlation headers ignored and gets a new ID.
    /// </value>
    /// <remarks>
    /// <para>Strings, so that the list binds from configuration (<c>"TrustedNetworks": [ "10.0.0.0/8" ]</c>); each entry
    /// is checked on start, and a malformed one fails the start with the entry named.</para>
    /// <para>If <c>UseForwardedHeaders()</c> runs before <c>UseCorrelation()</c>, the remote address is the forwarded
    /// client address, not the proxy's: call <c>UseCorrelation()</c> first to judge the proxy.</para>
    /// </remarks>
    public IList<string> TrustedNetworks { get; } = new List<string>();

    /// <summary>
    /// Gets or sets a predicate that marks a request as coming from a trusted source (for example, by client certificate),
    /// consulted when the remote address is not in <see cref="TrustedNetworks"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    /// <remarks>
    /// Code, so it has no configuration form: binding from configuration leaves it as it is. Trust that configuration
    /// can express (addresses and networks) belongs in <see cref="TrustedNetworks"/>.
    /// </remarks>
    public Func<HttpContext, bool>? IsTrustedSource { get; set; }

    /// <summary>Gets or sets a value indicating whether <see cref="HttpContext.TraceIdentifier"/> is set to the correlation ID.</summary>
    /// <value>
    /// The default is <see langword="false"/>: the trace identifier names one request, while a correlation ID is shared
    /// by every request and message of a flow.
    /// </value>
    public bool SetTraceIdentifier { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether ProblemDetails error bodies get a <c>correlation_id</c> extension.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    /// <remarks>
    /// Applies to the middleware's own error responses and, through <c>ProblemDetailsOptions.CustomizeProblemDetails</c>,
    /// to every body written by <see cref="IProblemDetailsService"/> (<c>services.AddProblemDetails()</c>).
    /// </remarks>
    public bool IncludeInProblemDetails { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the current <see cref="System.Diagnostics.Activity"/> (the request's
    /// activity) is tagged with <c>messaging.message.conversation_id</c> (the correlation ID).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool TagActivity { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the request is treated as the message being handled: its ID
    /// (<see cref="HttpContext.TraceIdentifier"/>, as the server assigned it) becomes <see cref="CorrelationContext.MessageId"/>
    /// and the <c>message_id</c> log field, so messages published while handling the request carry it as their causation ID.
    /// </summary>
    /// <value>
    /// The default is <see langword="true"/>: a flow's causation tree then starts at the HTTP request instead of at the
    /// first broker message.
    /// </value>
    public bool UseRequestIdAsMessageId { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the middleware handles exceptions that reach it before the response has
    /// started: it logs them inside the correlation scope and responds 500 with the correlation header (and a
    /// ProblemDetails body when <see cref="IProblemDetailsService"/> is registered).
    /// </summary>
    /// <value>
    /// The default is <see langword="true"/>: the server would otherwise discard every response header, the correlation
    /// header included, when it turns an unhandled exception into a 500.
    /// </value>
    /// <remarks>
    /// Exception handlers placed after <c>UseCorrelation()</c> (<c>UseExceptionHandler()</c>) run first and keep the header.
    /// Turn this off when an exception handler placed before <c>UseCorrelation()</c>, such as the developer exception page,
    /// must see the exception; such a handler keeps the header as long as it writes its response itself.
    /// </remarks>
    public bool HandleUnhandledExceptions { get; set; } = true;

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        var header = ResponseHeaderName;
        if (header is not null && (header.Length == 0 || header.AsSpan().IndexOfAnyExceptInRange('!', '~') >= 0 || header.Contains(':', StringComparison.Ordinal)))
        {
            yield return new ValidationResult(
                $"ResponseHeaderName '{header}' must be a non-empty HTTP header name of printable ASCII without ':' or spaces.",
                [nameof(ResponseHeaderName)]);
        }

        foreach (var entry in TrustedNetworks)
        {
            if (!TryParseNetwork(entry, out _))
            {
                yield return new ValidationResult(
                    $"TrustedNetworks entry '{entry}' is neither a CIDR network (10.0.0.0/8) nor an IP address.",
                    [nameof(TrustedNetworks)]);
            }
        }
    }

    /// <summary>Parses one <see cref="TrustedNetworks"/> entry: CIDR notation, or a single address as a full-length prefix.</summary>
    internal static bool TryParseNetwork(string? entry, out IPNetwork network)
    {
        var text = entry.AsSpan().Trim();
        if (text.Contains('/'))
        {
            return IPNetwork.TryParse(text, out network);
        }

        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        network = default;
        return false;
    }
}
