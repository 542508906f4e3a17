using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrleansSaas.Gateway.Problems;

/// <summary>
/// Header bytes that are not ASCII would make the server itself refuse the request with a bare 400 (no body).
/// Kestrel is told to read them as Latin-1 instead, and this middleware refuses any header value that is not
/// printable ASCII with problem+json naming the header. (A NUL in the path, %00 included, is still refused by
/// Kestrel while it parses the request line, before any application code runs.)
/// </summary>
public static class RequestHygiene
{
    public static void ConfigureKestrel(KestrelServerOptions options) => options.RequestHeaderEncodingSelector = _ => Encoding.Latin1;

    public static IApplicationBuilder UseRequestHygiene(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                if (value is null || value.All(c => c is >= ' ' and <= '~' or '\t')) continue;
                await Problem.Invalid(name, "is not a valid header value: only printable ASCII is accepted.").ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    });
}
