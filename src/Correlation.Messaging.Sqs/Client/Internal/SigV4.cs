using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace Correlation.Messaging.Sqs.Client.Internal;

/// <summary>
/// Builds the SigV4 canonical request and signs it with AWSSDK.Core's <see cref="AWS4Signer"/>.
/// </summary>
/// <remarks>
/// Only what the SQS JSON protocol needs: a POST to the endpoint path, no query string, a JSON payload, and the headers
/// <c>content-type</c>, <c>host</c>, <c>x-amz-date</c>, <c>x-amz-target</c> (and <c>x-amz-security-token</c> for temporary credentials).
/// </remarks>
internal static class SigV4
{
    public const string Service = "sqs";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Formats the <c>x-amz-date</c> value.</summary>
    public static string FormatDate(DateTime utc) => utc.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>Returns the lower-case hex SHA-256 of <paramref name="payload"/>.</summary>
    public static string HashPayload(ReadOnlySpan<byte> payload)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(payload, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Builds a canonical request. <paramref name="headers"/> are (name, value) pairs; names are lower-cased, values
    /// trimmed with inner whitespace runs collapsed, and the pairs sorted by name, as SigV4 specifies.
    /// </summary>
    public static string BuildCanonicalRequest(
        string method,
        string canonicalPath,
        string canonicalQuery,
        IEnumerable<KeyValuePair<string, string>> headers,
        string payloadHash,
        out string signedHeaders)
    {
        var sorted = headers
            .Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), CollapseWhitespace(h.Value.Trim())))
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .ToList();

        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n')
            .Append(canonicalPath).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in sorted)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        signedHeaders = string.Join(';', sorted.Select(h => h.Key));
        builder.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>Signs a canonical request and returns the whole <c>Authorization</c> header value.</summary>
    public static string Sign(ImmutableCredentials credentials, string region, DateTime signedAtUtc, string service, string signedHeaders, string canonicalRequest) =>
        AWS4Signer.ComputeSignature(credentials, region, signedAtUtc, service, signedHeaders, canonicalRequest).ForAuthorizationHeader;

    /// <summary>The canonical URI of an endpoint path: empty becomes <c>/</c>; segments are already URI-encoded by <see cref="Uri"/>.</summary>
    public static string CanonicalPath(Uri endpoint)
    {
        var path = endpoint.AbsolutePath;
        return string.IsNullOrEmpty(path) ? "/" : path;
    }

    private static string CollapseWhitespace(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }

                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }

        return builder.ToString();
    }
}
