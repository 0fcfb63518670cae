using Correlation.Messaging.Propagation;
using Microsoft.AspNetCore.Http;

namespace Correlation.Messaging.AspNetCore.Middleware;

/// <summary>The carrier getter over request headers; <see cref="IHeaderDictionary"/> compares names case-insensitively.</summary>
internal static class RequestHeaderGetter
{
    /// <summary>Reads one header. A header sent more than once yields its last value, flagged as a duplicate.</summary>
    public static InboundHeaderValue Get(IHeaderDictionary headers, string name)
    {
        if (!headers.TryGetValue(name, out var values) || values.Count == 0)
        {
            return InboundHeaderValue.Missing;
        }

        return InboundHeaderValue.FromText(values[values.Count - 1], hadDuplicates: values.Count > 1);
    }
}
