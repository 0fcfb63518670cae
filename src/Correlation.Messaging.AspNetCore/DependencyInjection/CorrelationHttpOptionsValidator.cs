using Microsoft.Extensions.Options;

namespace Correlation.Messaging.AspNetCore.DependencyInjection;

/// <summary>Validates <see cref="CorrelationHttpOptions"/> on start.</summary>
internal sealed class CorrelationHttpOptionsValidator : IValidateOptions<CorrelationHttpOptions>
{
    public ValidateOptionsResult Validate(string? name, CorrelationHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var header = options.ResponseHeaderName;
        if (header is not null && (header.Length == 0 || header.AsSpan().IndexOfAnyExceptInRange('!', '~') >= 0 || header.Contains(':', StringComparison.Ordinal)))
        {
            return ValidateOptionsResult.Fail($"ResponseHeaderName '{header}' must be a non-empty HTTP header name of printable ASCII without ':' or spaces.");
        }

        return ValidateOptionsResult.Success;
    }
}
