using System.Reflection;
using System.Text;

namespace Correlation.Messaging.Flow.Internal;

/// <summary>The default origin of the flows a service starts: <c>OTEL_SERVICE_NAME</c>, else the entry assembly's name.</summary>
internal static class ServiceNames
{
    /// <summary>The environment variable OpenTelemetry reads the service name from.</summary>
    public const string OtelServiceNameVariable = "OTEL_SERVICE_NAME";

    private const string Unknown = "unknown";

    /// <summary>Returns the default origin, made to fit the ID rules: other characters become <c>-</c> (or are dropped when <c>-</c> is not allowed), cut to <paramref name="maxLength"/>.</summary>
    public static string Default(int maxLength, string allowedSymbols)
    {
        var raw = Environment.GetEnvironmentVariable(OtelServiceNameVariable);
        if (string.IsNullOrWhiteSpace(raw))
        {
            raw = Assembly.GetEntryAssembly()?.GetName().Name;
        }

        return Fit(raw, maxLength, allowedSymbols);
    }

    /// <summary>Makes <paramref name="raw"/> a valid ID under the rules, or returns <c>unknown</c> when nothing is left.</summary>
    public static string Fit(string? raw, int maxLength, string allowedSymbols)
    {
        var builder = new StringBuilder();
        var dash = allowedSymbols.Contains('-', StringComparison.Ordinal);
        foreach (var c in raw ?? string.Empty)
        {
            if (builder.Length >= maxLength)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c) || allowedSymbols.Contains(c, StringComparison.Ordinal))
            {
                builder.Append(c);
            }
            else if (dash)
            {
                builder.Append('-');
            }
        }

        return builder.Length > 0 ? builder.ToString() : Unknown;
    }
}
