using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace OrleansSaas.Gateway.WebConsole;

/// <summary>
/// The web console (namespace WebConsole, so that it never hides System.Console): static files (HTML, CSS, ES modules) under /console that call this gateway's public API
/// from the browser. They are copied next to the gateway's assembly, so serving them does not depend on the
/// working directory the gateway was started from.
/// </summary>
public static class ConsoleEndpoints
{
    public const string Path = "/console";

    // The console runs only its own files and talks only to this origin; the QR code is a blob: image.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication MapConsole(this WebApplication app)
    {
        var root = System.IO.Path.Combine(AppContext.BaseDirectory, "Console", "app");
        var files = new PhysicalFileProvider(root);
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), console => console.Use(async (context, next) =>
        {
            // Relative links in the page resolve against /console/, not the root.
            if (context.Request.Path.Value == Path)
            {
                context.Response.Redirect(Path + "/");
                return;
            }
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // A new version of a file must reach the browser on the next load.
            headers.CacheControl = "no-cache";
            await next(context);
        }));
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = Path, FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { RequestPath = Path, FileProvider = files, ContentTypeProvider = new FileExtensionContentTypeProvider() });
        var options = app.Configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
        var dashboard = options.DashboardUrl ?? (app.Environment.IsDevelopment() ? ConsoleOptions.DevelopmentDashboardUrl : null);
        var config = new ConsoleConfig(dashboard, app.Configuration.GetValue<bool>("Simulator:DevEndpoints"));
        app.MapGet(Path + "/config.json", () => TypedResults.Ok(config)).ExcludeFromDescription();
        return app;
    }
}
