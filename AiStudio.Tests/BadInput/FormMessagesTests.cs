using System.Security.Claims;
using AiStudio.Core.ApiTokens;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Projects;
using AiStudio.Core.Users;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Admin.Users;
using AiStudio.Web.Components.Pages.ApiTokens;
using AiStudio.Web.Components.Pages.Builds.Components;
using AiStudio.Web.Components.Pages.Projects;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// The service's message reaches the person on each form (found by its label and button, as a person would), and
/// markup typed into a form comes back on the page as text.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class FormMessagesTests : ComponentTestBase, IClassFixture<BadInputScene>
{
    private readonly BadInputScene _scene;

    public FormMessagesTests(BadInputScene scene)
    {
        _scene = scene;
        UseSharedCore(scene.Host);
        Services.AddSingleton(scene.Host.Get<IApiTokenService>());
        Services.AddSingleton(scene.Host.Get<IProjectService>());
        Services.AddSingleton(scene.Host.Get<IUserAdminService>());
    }

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var form in new[] { "API tokens", "Projects", "Users", "Build controls" })
        {
            foreach (var value in new[] { BadText.ControlCharacters, BadText.Megabyte, BadText.Whitespace })
            {
                rows.Add(form, value);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Form_BadValue_ShowsTheServicesMessageAndChangesNothing(string form, string value)
    {
        var before = await _scene.SnapshotAsync();

        var markup = await SubmitAsync(form, BadText.Value(value));

        var expected = value == BadText.Whitespace
            ? form switch { "API tokens" => "Token name is required.", "Projects" => "Project name is required.", "Build controls" => "Give a reason", _ => "users" }
            : BadText.ExpectedWording(value);
        Assert.Contains(expected, markup);
        Assert.Equal(before, await _scene.SnapshotAsync());
    }

    [Theory]
    [InlineData("API tokens")]
    [InlineData("Users")]
    public async Task Form_ScriptTag_ShownBackAsText(string form)
    {
        var markup = await SubmitAsync(form, BadText.ScriptValue);

        Assert.Contains("&lt;script&gt;window.__xss=1&lt;/script&gt;", markup);

        // In attributes (a label, an input's value) the text may keep its brackets: only elements could run.
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(markup);
        Assert.Empty(page.QuerySelectorAll("script, img, [onerror]"));
    }

    [Theory]
    [InlineData("API tokens")]
    [InlineData("Projects")]
    [InlineData("Build controls")]
    public async Task Form_RefusedTwiceWithAnEditBetween_ShowsTheSecondMessage(string form)
    {
        Assert.Contains("U+0000", await SubmitAsync(form, BadText.Value(BadText.ControlCharacters)));

        var second = await _again!("Invoice \u202Eexport");

        Assert.Contains("U+202E", second);
        Assert.DoesNotContain("U+0000", second);
    }

    // The rendered form, to submit again as a person would after changing the text.
    private Func<string, Task<string>>? _again;

    /// <returns>The form's markup once the submission's answer is shown.</returns>
    private async Task<string> SubmitAsync(string form, string value)
    {
        if (form == "Users")
        {
            var authorization = AddAuthorization();
            authorization.SetAuthorized(_scene.Admin.DisplayName);
            authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, _scene.Admin.UserId), new Claim(ClaimTypes.Role, AdminRole.Name));
        }
        else
        {
            SignIn(_scene.Alice);
        }

        Render<MudPopoverProvider>();
        switch (form)
        {
            case "API tokens":
                var tokens = Render<ApiTokensPage>();
                _again = v => SubmitAsync(tokens, "Token name", v, "Create token");
                break;
            case "Projects":
                var projects = Render<ProjectsPage>();
                _again = v => SubmitAsync(projects, "Project name", v, "Create project");
                break;
            case "Users":
                var users = Render<UsersPage>();
                _again = v => SubmitAsync(users, "Search by email", v, "Search");
                break;
            default:
                var details = await _scene.AliceBuildAsync();
                var controls = Render<BuildControls>(p => p
                    .Add(c => c.Details, details)
                    .Add(c => c.Actor, _scene.Alice)
                    .Add(c => c.OnChanged, EventCallback.Empty));
                await controls.InvokeAsync(() => Button(controls, "Cancel build").ClickAsync(new()));
                _again = v => SubmitAsync(controls, "Reason for cancelling", v, "Cancel this build");
                break;
        }

        return await _again(value);
    }

    private static async Task<string> SubmitAsync<T>(IRenderedComponent<T> cut, string label, string value, string button)
        where T : IComponent
    {
        cut.WaitForAssertion(() => Field(cut, label));
        var input = Field(cut, label).QuerySelector("input, textarea")!;
        await cut.InvokeAsync(() => input.Input(value));
        await cut.InvokeAsync(() => Button(cut, button).ClickAsync(new()));

        // Whatever the form answers (a message at the field, an alert, a list), it mentions what was typed or why: wait for it.
        var markup = "";
        cut.WaitForAssertion(() =>
        {
            markup = cut.Markup;
            Assert.True(markup.Contains("(U+") || markup.Contains("at most") || markup.Contains("required")
                || markup.Contains("Give a reason") || markup.Contains("&lt;script&gt;") || markup.Contains(" users"), "No answer shown yet.");
        });
        return markup;
    }

    private static AngleSharp.Dom.IElement Field<T>(IRenderedComponent<T> cut, string label)
        where T : IComponent =>
        cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim() == label);

    private static AngleSharp.Dom.IElement Button<T>(IRenderedComponent<T> cut, string name)
        where T : IComponent =>
        cut.FindAll("button").First(b => b.TextContent.Trim() == name);
}
