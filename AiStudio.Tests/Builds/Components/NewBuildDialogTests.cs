using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Builds.Components;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AiStudio.Tests.Builds.Components;

public sealed class NewBuildDialogTests : ComponentTestBase
{
    private Actor _actor = null!;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        _actor = await SignInNewUserAsync();
    }

    [Fact]
    public async Task Open_NoProjectsYet_DefaultsToMyProject()
    {
        var cut = await OpenDialogAsync();

        cut.WaitForAssertion(() => Assert.Equal("My project", Input(cut, "Project").GetAttribute("value")));
        Assert.Contains("Write what is needed, one requirement per line or sentence.", Field(cut, "Requirements").TextContent);
    }

    [Fact]
    public async Task Open_ExistingProject_DefaultsToItAndSuggestsIt()
    {
        await StartBuildAsync(_actor, project: "Billing");

        var cut = await OpenDialogAsync();

        cut.WaitForAssertion(() => Assert.Equal("Billing", Input(cut, "Project").GetAttribute("value")));
        Assert.Contains("Billing", cut.Find("[aria-label='Your projects']").TextContent);
    }

    [Fact]
    public async Task StartBuild_EmptyTitle_ShowsMessageUnderTitleAndCreatesNothing()
    {
        var cut = await OpenDialogAsync();
        cut.WaitForAssertion(() => Assert.Equal("My project", Input(cut, "Project").GetAttribute("value")));
        Input(cut, "Requirements").Input("Customers receive an email reminder seven days before an invoice is due.");

        await cut.InvokeAsync(() => StartButton(cut).Click());

        cut.WaitForAssertion(() => Assert.Contains("Title is required.", Field(cut, "Title").TextContent));
        Assert.DoesNotContain("Title is required.", Field(cut, "Requirements").TextContent);
        Assert.Equal("Customers receive an email reminder seven days before an invoice is due.", Input(cut, "Requirements").TextContent);
        Assert.Empty(await Host.Get<IBuildQueries>().GetBoardAsync(_actor));
    }

    [Fact]
    public async Task StartBuild_RequirementsTooShort_ShowsServiceMessageUnderRequirementsAndKeepsInput()
    {
        var cut = await OpenDialogAsync();
        cut.WaitForAssertion(() => Assert.Equal("My project", Input(cut, "Project").GetAttribute("value")));
        Input(cut, "Title").Input("Invoice reminders");
        Input(cut, "Requirements").Input("Too short");

        await cut.InvokeAsync(() => StartButton(cut).Click());

        cut.WaitForAssertion(() => Assert.Contains("Requirements must be at least 20 characters", Field(cut, "Requirements").TextContent));
        Assert.Equal("Invoice reminders", Input(cut, "Title").GetAttribute("value"));
        Assert.Equal("Too short", Input(cut, "Requirements").TextContent);
        Assert.Empty(await Host.Get<IBuildQueries>().GetBoardAsync(_actor));
    }

    [Fact]
    public async Task StartBuild_ValidInput_CreatesBuildAndOpensItsPage()
    {
        var cut = await OpenDialogAsync();
        cut.WaitForAssertion(() => Assert.Equal("My project", Input(cut, "Project").GetAttribute("value")));
        Input(cut, "Project").Input("Billing");
        Input(cut, "Title").Input("Invoice reminders");
        Input(cut, "Requirements").Input("Customers receive an email reminder seven days before an invoice is due.");

        await cut.InvokeAsync(() => StartButton(cut).Click());

        var navigation = Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.Matches("/builds/[0-9a-f-]{36}$", navigation.Uri), TimeSpan.FromSeconds(5));
        var card = Assert.Single(await Host.Get<IBuildQueries>().GetBoardAsync(_actor));
        Assert.Equal(("Invoice reminders", "Billing"), (card.Title, card.ProjectName));
        Assert.EndsWith($"/builds/{card.Id}", navigation.Uri);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenDialogAsync()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<NewBuildDialog>("New build"));
        provider.WaitForElement(".mud-dialog");
        return provider;
    }

    private static IElement Field(IRenderedComponent<MudDialogProvider> cut, string label) =>
        cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim().TrimEnd('*').Trim() == label);

    private static IElement Input(IRenderedComponent<MudDialogProvider> cut, string label) =>
        Field(cut, label).QuerySelector("input, textarea")!;

    private static IElement StartButton(IRenderedComponent<MudDialogProvider> cut) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Start build");
}
