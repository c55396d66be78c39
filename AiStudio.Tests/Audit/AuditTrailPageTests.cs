using System.Security.Claims;
using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Admin.Audit;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AiStudio.Tests.Audit;

/// <summary>The audit pages over the real Core services and a seeded, sealed trail.</summary>
public sealed class AuditTrailPageTests : ComponentTestBase
{
    private const int Seeded = 120;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        Services.AddSingleton(Host.Get<IAuditQueries>());
        Services.AddSingleton(Host.Get<IAuditChainVerifier>());
        Services.AddSingleton(Host.Get<IAuditSealer>());
        await using var db = await Host.CreateDbContextAsync();
        await AuditSeeder.SeedSealedAsync(db, Seeded);
    }

    [Fact]
    public async Task ApplyFilters_ActionPhaseApproved_ShowsOnlyThoseRows()
    {
        await SignInAdminAsync();
        var cut = RenderPage<AuditTrailPage>();
        cut.WaitForAssertion(() => Assert.Equal(AuditPageRequest.DefaultPageSize, Rows(cut).Count));
        Assert.Contains(Rows(cut), r => r.GetAttribute("data-action") != AuditActions.PhaseApproved);

        ActionInput(cut).Change(AuditActions.PhaseApproved);
        await cut.InvokeAsync(() => Button(cut, "Apply filters").Click());

        cut.WaitForAssertion(() => Assert.Equal(Seeded / AuditSeeder.Actions.Length, Rows(cut).Count));
        Assert.All(Rows(cut), r => Assert.Equal(AuditActions.PhaseApproved, r.GetAttribute("data-action")));
        Assert.Contains("action=phase.approved", cut.Find("#audit-export").GetAttribute("href"));

        await cut.InvokeAsync(() => Button(cut, "Clear").Click());
        cut.WaitForAssertion(() => Assert.Contains(Rows(cut), r => r.GetAttribute("data-action") != AuditActions.PhaseApproved));
    }

    [Fact]
    public async Task OlderThenNewer_PagesThroughWithoutRepeats()
    {
        await SignInAdminAsync();
        var cut = RenderPage<AuditTrailPage>();
        cut.WaitForAssertion(() => Assert.Equal(AuditPageRequest.DefaultPageSize, Rows(cut).Count));
        var first = Ids(cut);
        Assert.True(Button(cut, "Newer").HasAttribute("disabled"));

        await cut.InvokeAsync(() => Button(cut, "Older").Click());
        cut.WaitForAssertion(() => Assert.NotEqual(first, Ids(cut)));
        var second = Ids(cut);
        Assert.Equal(first.Min() - 1, second.Max());
        Assert.Equal(AuditPageRequest.DefaultPageSize, second.Count);

        await cut.InvokeAsync(() => Button(cut, "Older").Click());
        cut.WaitForAssertion(() => Assert.Equal(Seeded - 2 * AuditPageRequest.DefaultPageSize, Rows(cut).Count));
        Assert.True(Button(cut, "Older").HasAttribute("disabled"));

        await cut.InvokeAsync(() => Button(cut, "Newer").Click());
        cut.WaitForAssertion(() => Assert.Equal(second, Ids(cut)));
        await cut.InvokeAsync(() => Button(cut, "Newer").Click());
        cut.WaitForAssertion(() => Assert.Equal(first, Ids(cut)));
        Assert.True(Button(cut, "Newer").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Render_NonAdmin_ShowsOnlyAdministratorsAndNoRows()
    {
        await SignInNewUserAsync("member@example.com");

        var cut = RenderPage<AuditTrailPage>();

        cut.WaitForAssertion(() => Assert.Equal("Only administrators can read the audit trail.", cut.Find("#audit-denied").TextContent.Trim()));
        Assert.Empty(Rows(cut));
        Assert.Empty(cut.FindAll("#audit-export"));
    }

    [Fact]
    public async Task EventPage_Admin_ShowsEveryFieldAndTheHashes()
    {
        await SignInAdminAsync();
        await using var db = await Host.CreateDbContextAsync();
        var stored = db.AuditEvents.Single(e => e.Sequence == 7);

        var cut = Render<AuditEventPage>(p => p.Add(x => x.Id, stored.Id));

        cut.WaitForAssertion(() => Assert.Contains(stored.Hash!, cut.Find("#audit-event").TextContent));
        Assert.Equal("Audit event", cut.Find("h1").TextContent.Trim());
        Assert.Contains(stored.PreviousHash!, cut.Markup);
        Assert.Contains(stored.Detail!, cut.Markup);
        Assert.Contains(stored.ActorName, cut.Markup);
    }

    [Fact]
    public async Task VerifyPage_VerifyNow_SaysAllEventsVerified()
    {
        await SignInAdminAsync();
        var cut = RenderPage<AuditVerifyPage>();

        await cut.InvokeAsync(() => Button(cut, "Verify now").Click());

        cut.WaitForAssertion(() => Assert.Equal($"All {Seeded} events verified", cut.Find("#audit-verify-result").TextContent.Trim()));
    }

    [Fact]
    public async Task VerifyPage_EditedEvent_NamesTheFirstBrokenLink()
    {
        await SignInAdminAsync();
        await using (var db = await Host.CreateDbContextAsync())
        {
            await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database,
                "UPDATE \"AuditEvents\" SET \"Action\" = 'phase.approved' WHERE \"Sequence\" = 12");
        }

        var cut = RenderPage<AuditVerifyPage>();
        await cut.InvokeAsync(() => Button(cut, "Verify now").Click());

        cut.WaitForAssertion(() => Assert.StartsWith("Broken at event #12:", cut.Find("#audit-verify-result").TextContent.Trim()));
    }

    // Pickers and selects need the popover provider, rendered after signing in (which registers services).
    private IRenderedComponent<TPage> RenderPage<TPage>()
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        Render<MudPopoverProvider>();
        return Render<TPage>();
    }

    private async Task SignInAdminAsync()
    {
        var actor = (await Host.CreateUserAsync("admin@example.com")) with { IsAdmin = true };
        var authorization = AddAuthorization();
        authorization.SetAuthorized(actor.DisplayName);

        // The role as a plain claim: bUnit's SetRoles would replace the claims set here.
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, actor.UserId), new Claim(ClaimTypes.Role, AdminRole.Name));
    }

    private static IElement ActionInput(IRenderedComponent<AuditTrailPage> cut) =>
        cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim() == "Action").QuerySelector("input")!;

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<AuditTrailPage> cut) => cut.FindAll("tbody tr[data-event-id]");

    private static List<long> Ids(IRenderedComponent<AuditTrailPage> cut) => [.. Rows(cut).Select(r => long.Parse(r.GetAttribute("data-event-id")!))];

    private static IElement Button<TComponent>(IRenderedComponent<TComponent> cut, string text)
        where TComponent : Microsoft.AspNetCore.Components.IComponent =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == text);
}
