using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace OrleansSaas.Gateway.Observability;

/// <summary>
/// One line per request without its query string. Query strings are the client's to fill (an api_key, a
/// peer's phone number), so ASP.NET Core's own request lines, which quote the whole URL, are switched off
/// for good: no logging setting, not even one naming them for a single provider, turns them back on.
/// </summary>
public static class RequestLogging
{
    public const string Category = "OrleansSaas.Gateway.RequestLog";

    // Both quote the request target verbatim: "Request starting … ?api_key=…", Kestrel's "bad request data: …".
    private static readonly string[] VerbatimCategories = ["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Server.Kestrel.BadRequests"];

    public static IServiceCollection AddRequestLogging(this IServiceCollection services) =>
        services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, SilenceVerbatimCategories>();

    /// <summary>Goes first, so it sees the status of every reply, error pages included.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (context, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                await next(context);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                logger.LogInformation("{Method} {Path}{Query} answered {StatusCode} in {ElapsedMilliseconds:0.0} ms",
                    context.Request.Method, context.Request.Path.Value, context.Request.QueryString.HasValue ? "?(query omitted)" : "",
                    context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }

    /// <summary>Runs after the configuration's rules are read: drops every rule for these categories and adds "None" for each provider named anywhere.</summary>
    private sealed class SilenceVerbatimCategories : IPostConfigureOptions<LoggerFilterOptions>
    {
        public void PostConfigure(string? name, LoggerFilterOptions options)
        {
            var providers = options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList();
            foreach (var category in VerbatimCategories)
            {
                for (var i = options.Rules.Count - 1; i >= 0; i--)
                    if (options.Rules[i].CategoryName?.StartsWith(category, StringComparison.OrdinalIgnoreCase) == true) options.Rules.RemoveAt(i);
                foreach (var provider in providers) options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.None, null));
            }
        }
    }
}
