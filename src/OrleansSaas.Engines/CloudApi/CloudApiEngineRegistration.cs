using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansSaas.Engines.CloudApi;

public static class CloudApiEngineRegistration
{
    /// <summary>The Cloud API engine, its Graph API client and its inbound webhook processing.</summary>
    public static IServiceCollection AddCloudApiEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CloudApiOptions>().Bind(configuration.GetSection(CloudApiOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.PublicGatewayUrl.Length == 0 || Uri.TryCreate(o.PublicGatewayUrl, UriKind.Absolute, out _), "CloudApi:PublicGatewayUrl must be an absolute URL or empty.")
            .ValidateOnStart();
        services.AddHttpClient(GraphClient.HttpClientName);
        services.AddSingleton<GraphClient>();
        services.AddSingleton<CloudApiWebhookStore>();
        services.AddSingleton<IWhatsAppEngine, CloudApiEngine>();
        services.TryAddSingleton<EngineCatalog>();
        services.AddHostedService<CloudApiInboxSweeper>();
        return services;
    }
}
