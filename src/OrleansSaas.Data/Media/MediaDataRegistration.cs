using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSaas.Data.Media;

// In the root namespace, like AddAppData, so registering needs no extra using.
namespace OrleansSaas.Data;

public static class MediaDataRegistration
{
    /// <summary>The media store with the PostgreSQL blob store; register another <see cref="IBlobStore"/> first to replace it.</summary>
    public static IServiceCollection AddMediaStore(this IServiceCollection services)
    {
        services.TryAddSingleton<IBlobStore, PostgresBlobStore>();
        services.AddSingleton<MediaStore>();
        return services;
    }
}
