using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSaas.Contracts.Quotas;
using OrleansSaas.Gateway.Auth;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Quotas;

public sealed class RequestRateOptions
{
    public const string Section = "RateLimits";

    /// <summary>Steady requests per second one API key may make, summed over every gateway.</summary>
    [Range(0.1, 1_000_000)]
    public double RequestsPerSecondPerKey { get; set; } = 100;

    /// <summary>How many requests a key may make at once above the steady rate.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 200;

    /// <summary>Failed authentications a client address (or guesses at one key id) may make before being held back.</summary>
    [Range(1, 1_000_000)]
    public int FailedAuthBurst { get; set; } = 10;

    /// <summary>Failed authentications allowed per second once held back.</summary>
    [Range(0.01, 1_000_000)]
    public double FailedAuthPerSecond { get; set; } = 1;
}

/// <summary>
/// Limits each API key's request rate across the whole deployment: the bucket lives in one grain per key,
/// so a client spreading its requests over several gateways gets no more than one gateway would give it.
/// Each gateway leases the key's tokens in batches (<see cref="TokenLease"/>), not a grain call per request.
/// </summary>
public static class RequestRateLimiting
{
    public static IServiceCollection AddRequestRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RequestRateOptions>().Bind(configuration.GetSection(RequestRateOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TokenLeases>(); // the keys' request rates, leased by this gateway
        return services;
    }

    public static IApplicationBuilder UseRequestRateLimiting(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.FindFirst(ApiKeyAuthenticationHandler.KeyClaim)?.Value is { } keyId)
        {
            var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<RequestRateOptions>>().Value;
            var limiter = context.RequestServices.GetRequiredService<IClusterClient>().GetGrain<IRateLimiterGrain>($"key/{keyId}");
            var leases = context.RequestServices.GetRequiredService<TokenLeases>();
            if (await leases.TryTakeAsync(keyId, (wanted, returned) => limiter.Lease(options.RequestsPerSecondPerKey, options.Burst, wanted, returned)) is { } retryAfter)
            {
                await Problem.RateLimited(context.Response, retryAfter, "This API key made too many requests; retry after the Retry-After delay.").ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    });
}
