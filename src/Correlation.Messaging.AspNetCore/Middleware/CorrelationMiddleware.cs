using Correlation.Messaging.Validation;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Net;
using Correlation.Messaging.AspNetCore.Logging;
using Correlation.Messaging.Flow.Internal;
using CorrelationMetrics = Correlation.Messaging.Logging.CorrelationMetrics;
using Correlation.Messaging.Diagnostics;
using Correlation.Messaging.Propagation;
using Correlation.Messaging.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Correlation.Messaging.AspNetCore.Middleware;

/// <summary>
/// Reads, validates (or generates) the correlation ID of each request, keeps it ambient with a logging scope for the
/// whole request, and echoes it on every response.
/// </summary>
internal sealed class CorrelationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly CorrelationPropagator _propagator;
    private readonly ILogger _logger;
    private readonly string _responseHeaderName;
    private readonly IPNetwork[] _trustedNetworks;
    private readonly Func<HttpContext, bool>? _isTrustedSource;
    private readonly bool _checkTrust;
    private readonly bool _setTraceIdentifier;
    private readonly bool _includeInProblemDetails;
    private readonly bool _tagActivity;
    private readonly bool _useRequestIdAsMessageId;
    private readonly bool _handleExceptions;

    public CorrelationMiddleware(RequestDelegate next, CorrelationPropagator propagator, CorrelationHttpOptions options, ILoggerFactory loggerFactory)
    {
        _next = next;
        _propagator = propagator;
        _logger = loggerFactory.CreateLogger(Log.CategoryName);
        _responseHeaderName = options.ResponseHeaderName ?? propagator.HeaderName;
        _trustedNetworks = [.. options.TrustedNetworks.Select(static entry =>
            CorrelationHttpOptions.TryParseNetwork(entry, out var network) ? network : throw new ArgumentException($"TrustedNetworks entry '{entry}' is not a network.", nameof(options)))];
        _isTrustedSource = options.IsTrustedSource;
        _checkTrust = _trustedNetworks.Length > 0 || _isTrustedSource is not null;
        _setTraceIdentifier = options.SetTraceIdentifier;
        _includeInProblemDetails = options.IncludeInProblemDetails;
        _tagActivity = options.TagActivity;
        _useRequestIdAsMessageId = options.UseRequestIdAsMessageId;
        _handleExceptions = options.HandleUnhandledExceptions;
    }

    public Task InvokeAsync(HttpContext context)
    {
        CorrelationContext correlation;
        if (IsTrusted(context))
        {
            ExtractedCorrelation extracted;
            try
            {
                extracted = _propagator.Extract(context.Request.Headers, static (headers, name) => RequestHeaderGetter.Get(headers, name));
            }
            catch (CorrelationIdRejectedException ex)
            {
                return RejectAsync(context, ex);
            }

            correlation = _propagator.ContextFor(extracted, RequestMessageId(context));
            if (!Ascii.IsValid(correlation.CorrelationId))
            {
                // Only Trust lets a non-ASCII ID through, and HTTP cannot echo it (Kestrel throws on the response header):
                // the HTTP boundary refuses it like an invalid one.
                correlation = ReplaceNonAscii(correlation);
            }
        }
        else
        {
            // Never derive an ID from a trace this middleware did not trust (the client chose the request's traceparent).
            var id = _propagator.NewIdIgnoringAmbientTrace();
            CorrelationMetrics.Generated.Add(1, new KeyValuePair<string, object?>("reason", "untrusted"));
            CorrelationMetrics.Inbound.Add(1, new KeyValuePair<string, object?>("outcome", "generated"));
            correlation = new CorrelationContext(id, null, RequestMessageId(context), CorrelationIdSource.Generated, FlowMetadata.StartingNow(_propagator.ServiceName));
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                // Inside the new ID's scope, so a log reader attaches the event to the flow it concerns.
                using (_propagator.BeginScope(correlation))
                {
                    Log.UntrustedSource(_logger, context.Connection.RemoteIpAddress?.ToString(), id);
                }
            }
        }

        return InvokeCoreAsync(context, correlation);
    }

    private CorrelationContext ReplaceNonAscii(CorrelationContext inbound)
    {
        var replaced = new CorrelationContext(_propagator.NewId(), inbound.CausationId, inbound.MessageId, CorrelationIdSource.Replaced, inbound.Flow);
        using (_propagator.BeginScope(replaced))
        {
            Log.NonAsciiCorrelationIdReplaced(_logger, replaced.CorrelationId, CorrelationIdValidator.Sanitize(inbound.CorrelationId));
        }

        CorrelationMetrics.Generated.Add(1, new KeyValuePair<string, object?>("reason", "invalid"));
        return replaced;
    }

    private string? RequestMessageId(HttpContext context)
    {
        var id = _useRequestIdAsMessageId ? context.TraceIdentifier : null;
        return string.IsNullOrEmpty(id) || !CorrelationIdValidator.IsSafe(id) ? null : id;
    }

    private async Task InvokeCoreAsync(HttpContext context, CorrelationContext correlation)
    {
        Attach(context, correlation);
        using var scope = _propagator.BeginScope(correlation);
        var hop = FlowDiagnostics.IsEnabled
            ? FlowDiagnostics.Start(FlowHopKind.HttpIn, "http", context.Request.Path.Value, context.Request.Method + " " + context.Request.Path.Value, correlation)
            : null;
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (hop is not null && FlowDiagnostics.Stop(hop, ex, "500"))
        {
            throw; // Never reached: the filter only reports the outcome to a flow recorder.
        }
        catch (Exception ex) when (_handleExceptions && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // Logged here, inside the scope, so the error line carries correlation_id; the server would log it outside.
            Log.UnhandledException(_logger, ex);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await WriteProblemAsync(context, correlation, StatusCodes.Status500InternalServerError, title: null, detail: null, ex).ConfigureAwait(false);
        }

        FlowDiagnostics.Stop(hop, null, hop is null ? null : context.Response.StatusCode.ToString(CultureInfo.InvariantCulture));
    }

    private async Task RejectAsync(HttpContext context, CorrelationIdRejectedException exception)
    {
        // The rejected request still gets an ID, so that the 400 and its log lines can be found.
        var correlation = new CorrelationContext(_propagator.NewId(), null, null, CorrelationIdSource.Generated, FlowMetadata.StartingNow(_propagator.ServiceName));
        Attach(context, correlation);
        using var scope = _propagator.BeginScope(correlation);
        Log.RequestRejected(_logger, exception.Problem, correlation.CorrelationId);

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        var missing = exception.Problem == CorrelationIdProblem.Missing;
        var detail = missing
            ? string.Create(CultureInfo.InvariantCulture, $"The request carries no {_propagator.HeaderName} header.")
            : string.Create(CultureInfo.InvariantCulture, $"The {exception.HeaderName} header is not an acceptable correlation ID ({exception.Problem}).");
        await WriteProblemAsync(
            context,
            correlation,
            StatusCodes.Status400BadRequest,
            missing ? "Missing correlation ID" : "Invalid correlation ID",
            detail,
            exception: null).ConfigureAwait(false);
    }

    private void Attach(HttpContext context, CorrelationContext correlation)
    {
        var feature = new CorrelationHttpFeature(correlation, context.Response, _responseHeaderName);
        context.Features.Set(feature);
        feature.WriteResponseHeader();
        context.Response.OnStarting(CorrelationHttpFeature.WriteResponseHeaderCallback, feature);

        if (_setTraceIdentifier)
        {
            context.TraceIdentifier = correlation.CorrelationId;
        }

        if (_tagActivity)
        {
            CorrelationSpanAttributes.Tag(Activity.Current, _propagator.Options, correlation.CorrelationId);
        }
    }

    private bool IsTrusted(HttpContext context)
    {
        if (!_checkTrust)
        {
            return true;
        }

        var address = context.Connection.RemoteIpAddress;
        if (address is not null && _trustedNetworks.Length > 0)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            foreach (var network in _trustedNetworks)
            {
                if (network.Contains(address))
                {
                    return true;
                }
            }
        }

        return _isTrustedSource?.Invoke(context) == true;
    }

    /// <summary>
    /// Writes a ProblemDetails body through <see cref="IProblemDetailsService"/> when registered. Without it, a rejection
    /// still gets a plain ProblemDetails body, and an unhandled exception gets an empty 500, as the server would send.
    /// </summary>
    private async Task WriteProblemAsync(HttpContext context, CorrelationContext correlation, int status, string? title, string? detail, Exception? exception)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (_includeInProblemDetails)
        {
            problem.Extensions[CorrelationHeaders.CorrelationIdLogField] = correlation.CorrelationId;
        }

        var service = context.RequestServices?.GetService<IProblemDetailsService>();
        if (service is not null &&
            await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false))
        {
            return;
        }

        if (exception is null)
        {
            await Results.Problem(problem).ExecuteAsync(context).ConfigureAwait(false);
        }
    }
}
