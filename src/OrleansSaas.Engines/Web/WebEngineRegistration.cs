using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansSaas.Outbound;

namespace OrleansSaas.Engines.Web;

public static class WebEngineRegistration
{
    /// <summary>
    /// The web engine and its sidecar supervisor, when this machine can run the sidecar (Node.js 20+, npm ci done);
    /// otherwise only a notice at start-up, and GET /v1/engines does not list the engine.
    /// </summary>
    public static IServiceCollection AddWebEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOutboundGuard(configuration);
        services.AddOptions<WebEngineOptions>().Bind(configuration.GetSection(WebEngineOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(WebEngineOptions.Section).Get<WebEngineOptions>() ?? new WebEngineOptions();
        var setup = new WebEngineSetup(options);
        if (setup.Unavailable is { } reason)
        {
            services.AddHostedService(sp => new WebEngineUnavailableNotice(reason, sp.GetRequiredService<ILogger<WebEngineUnavailableNotice>>()));
            return services;
        }
        services.AddSingleton(setup);
        services.AddSingleton<WebAuthStore>();
        services.AddSingleton<SidecarSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<SidecarSupervisor>());
        services.AddSingleton<WebMediaLinks>();
        services.AddSingleton<WebEngine>();
        services.AddSingleton<IWhatsAppEngine>(sp => sp.GetRequiredService<WebEngine>());
        services.TryAddSingleton<EngineCatalog>();
        return services;
    }
}

/// <summary>Says once, at start-up, why this silo offers no web engine.</summary>
public sealed class WebEngineUnavailableNotice(string reason, ILogger<WebEngineUnavailableNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogWarning("The web engine is not offered on this silo: {Reason}", reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
