using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansSaas.Console.Tests;

/// <summary>Every main page opens without a script error, at a desktop's and a phone's width (screenshots of both).</summary>
[Collection(ConsoleCollection.Name)]
public sealed class PageTests(ConsoleFixture fixture)
{
    [Theory]
    [InlineData(1280, 860, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task The_main_pages_render_at_this_width(int width, int height, string name)
    {
        var (session, _) = await fixture.ConnectedSessionAsync("Shop " + name);
        var page = await fixture.NewPageAsync(width, height);
        await fixture.SignInAsync(page, fixture.Cluster.ApiKey);
        foreach (var (route, heading, shot) in new[]
        {
            ("#/sessions", "Sessions", "sessions"), ($"#/sessions/{session}", "Shop " + name, "session"),
            ("#/webhooks", "Webhooks", "webhooks"), ("#/events", "Events", "events"), ("#/usage", "Usage & audit", "usage"),
        })
        {
            await page.GotoAsync(fixture.ConsoleUrl + route);
            await Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            await Expect(page.Locator(".loading")).ToHaveCountAsync(0);
            await ConsoleFixture.ScreenshotAsync(page, $"{name}-{shot}");
            // Nothing wider than the screen, so a phone never scrolls sideways (tables scroll inside their box).
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth + 1"), $"{route} is wider than {width}px");
        }
        await Expect(page.Locator(".meter")).ToHaveCountAsync(3);
        await page.Context.CloseAsync();

        var admin = await fixture.NewPageAsync(width, height);
        await fixture.SignInAsync(admin, fixture.Cluster.AdminKey, operatorKey: true);
        foreach (var (route, heading, shot) in new[] { ("#/operator/silos", "Silos", "silos"), ("#/operator/tenants", "Tenants", "tenants"), ("#/operator/audit", "Audit log", "audit") })
        {
            await admin.GotoAsync(fixture.ConsoleUrl + route);
            await Expect(admin.Locator("h1")).ToHaveTextAsync(heading);
            await Expect(admin.Locator(".loading")).ToHaveCountAsync(0);
            await ConsoleFixture.ScreenshotAsync(admin, $"{name}-{shot}");
            Assert.True(await admin.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth + 1"), $"{route} is wider than {width}px");
        }
        Assert.Empty(fixture.PageErrors);
        await admin.Context.CloseAsync();
    }
}
