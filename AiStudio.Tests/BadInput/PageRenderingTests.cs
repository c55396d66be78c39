using System.Net;
using AiStudio.Tests.Accounts;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// Markup typed into a field comes back as text on every page that shows it (the prerendered HTML a browser
/// first receives), never as markup; and the audit export's query refuses garbage with a 400.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class PageRenderingTests(ApiScene scene) : IClassFixture<ApiScene>
{
    private const string Password = "Passw0rd!-long-enough";

    [Fact]
    public async Task BuildPages_ScriptInProjectTitleAndRequirements_ShownAsText()
    {
        var id = await scene.StartAwaitingAsync(scene.Alice, BadText.ScriptValue, BadText.ScriptValue, BadText.ScriptValue);
        using var alice = new AccountClient(scene.Api.Address);
        Assert.True((await alice.LogInAsync("alice@example.com", Password)).Status == HttpStatusCode.Redirect);

        foreach (var page in new[] { $"builds/{id}", "builds", "projects" })
        {
            var (status, html) = await alice.GetAsync(page);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("&lt;script&gt;window.__xss=1&lt;/script&gt;", html);
            Assert.DoesNotContain("<script>window.__xss", html);
            Assert.DoesNotContain("<img src=x", html);
        }
    }

    [Fact]
    public async Task BuildPages_BobsIds_NotFoundAndNothingOfHisShown()
    {
        using var alice = new AccountClient(scene.Api.Address);
        Assert.True((await alice.LogInAsync("alice@example.com", Password)).Status == HttpStatusCode.Redirect);

        var (page, html) = await alice.GetAsync($"builds/{scene.BobBuild}");
        Assert.Equal(HttpStatusCode.OK, page);
        Assert.Contains("Build not found", html);
        Assert.DoesNotContain("Secret", html);

        foreach (var download in new[] { $"builds/{scene.BobBuild}/export.zip", $"builds/{scene.BobBuild}/runs/{scene.BobRun}/artifacts.zip",
            $"builds/{scene.AliceBuild}/runs/{scene.BobRun}/artifacts/requirements_document.md", $"builds/{scene.BobBuild}/runs/{scene.BobRun}/artifacts/..%2F..%2Fappsettings.json" })
        {
            var (status, body) = await alice.GetAsync(download);
            Assert.True(status == HttpStatusCode.NotFound, $"{download} answered {(int)status}.");
            Assert.DoesNotContain("Secret", body);
        }
    }

    [Theory]
    [InlineData("admin/prompts/%3Cscript%3Ewindow.__xss=1%3C%2Fscript%3E/compare", "There is no role called")]
    [InlineData("admin/prompts/CodeWriter/compare?from=-1&to=2147483647", "Compare prompt versions")]
    [InlineData("admin/audit/-1", "There is no audit event -1.")]
    [InlineData("admin/audit/9223372036854775807", "There is no audit event 9223372036854775807.")]
    [InlineData("prompts/00000000-0000-0000-0000-000000000000", "Prompt not found")]
    public async Task AdminPages_GarbageOrMissingIds_AnswerInWordsAndEchoAsText(string page, string words)
    {
        using var admin = new AccountClient(scene.Api.Address);
        Assert.True((await admin.LogInAsync(ApiScene.AdminEmail, Password)).Status == HttpStatusCode.Redirect);

        var (status, html) = await admin.GetAsync(page);

        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{page} answered {(int)status}.");
        Assert.Contains(words, html);
        Assert.DoesNotContain("<script>window.__xss", html);
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("projectId=%27%20OR%201%3D1--", "projectId")]
    [InlineData("buildId=12345", "buildId")]
    [InlineData("actor=a%07b", "Actor")]
    [InlineData("action=%E2%80%AEdetator.esahp", "Action")]
    public async Task AuditExport_GarbageFilter_400NamingTheParameter(string query, string parameter)
    {
        using var admin = new AccountClient(scene.Api.Address);
        Assert.True((await admin.LogInAsync(ApiScene.AdminEmail, Password)).Status == HttpStatusCode.Redirect);

        var (status, body) = await admin.GetAsync($"admin/audit/export.csv?{query}");

        Assert.True(status == HttpStatusCode.BadRequest, body);
        Assert.DoesNotContain("   at ", body);
        Assert.Contains(parameter, body);
        Assert.DoesNotContain("\"Sequence\"", body);
    }
}
