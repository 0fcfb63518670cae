using Correlation.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Snippets;

/// <summary>The snippets of src/Correlation.Messaging.AspNetCore/README.md (its logging snippet is the quick-start sample's).</summary>
internal static class AspNetCoreSnippets
{
    public static void QuickStart()
    {
        #region aspnetcore-quickstart
        var builder = WebApplication.CreateBuilder(args);

        builder.Services.AddCorrelation(o =>            // the same options as the broker adapters
            {
                o.InvalidIdPolicy = InvalidCorrelationIdPolicy.Regenerate;   // or Reject (400) / Trust
            })
            .AddAspNetCore(http =>                      // HTTP-specific options
            {
                http.TrustedNetworks.Add("10.0.0.0/8");     // optional: trust inbound IDs only from here
            });
        builder.Services.AddProblemDetails();          // optional: error bodies get "correlation_id"
        builder.Services.AddHttpClient("orders", c => c.BaseAddress = new Uri("http://orders"))
            .AddCorrelationPropagation();              // forwards the ambient ID

        var app = builder.Build();
        app.UseCorrelation();                          // early: everything after it logs the ID
        app.UseExceptionHandler();
        app.MapGet("/", () => CorrelationContext.Current!.CorrelationId);
        app.Run();
        #endregion
    }

    public static void FromConfiguration()
    {
        var builder = WebApplication.CreateBuilder(args);
        #region aspnetcore-configuration
        // appsettings.json: { "Correlation": { "Http": { "TrustedNetworks": [ "10.0.0.0/8", "192.0.2.7" ] } } }
        builder.Services.AddCorrelation(builder.Configuration.GetSection("Correlation"))
            .AddAspNetCore(builder.Configuration.GetSection("Correlation:Http"));
        #endregion
    }

    private static readonly string[] args = [];
}
