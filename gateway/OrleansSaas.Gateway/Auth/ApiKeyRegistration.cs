using Microsoft.AspNetCore.Authentication;

namespace OrleansSaas.Gateway.Auth;

public static class ApiKeyRegistration
{
    /// <summary>API-key authentication (the default scheme), its failure back-off, and the re-checks of long-lived responses.</summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyVerifier>();
        services.AddSingleton<AuthFailureThrottle>();
        services.AddSingleton<CredentialWatch>();
        services.AddHostedService(provider => provider.GetRequiredService<CredentialWatch>());
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        return services;
    }

    /// <summary>Authentication, then the watch over every request it let in (see <see cref="CredentialWatch"/>).</summary>
    public static IApplicationBuilder UseApiKeyAuthentication(this IApplicationBuilder app)
    {
        var watch = app.ApplicationServices.GetRequiredService<CredentialWatch>();
        app.UseAuthentication();
        return app.Use(watch.WatchAsync);
    }
}
