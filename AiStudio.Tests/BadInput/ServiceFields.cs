using AiStudio.Core.ApiTokens;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Projects;
using AiStudio.Core.Roles;
using AiStudio.Core.Users;

namespace AiStudio.Tests.BadInput;

/// <param name="Name">The field as a person meets it: form, then label.</param>
/// <param name="ErrorKey">The key of the field's error (the API sends it camel-cased).</param>
/// <param name="Required">Empty and whitespace-only are refused; a filter or search treats them as "no filter".</param>
/// <param name="FreeText">Script tags, SQL-looking text and every script are legitimate content, not an error.</param>
/// <param name="Submit">Puts the value into the field alone, every other field valid, through the real service.</param>
public sealed record ServiceField(string Name, string ErrorKey, bool Required, bool FreeText, Func<BadInputScene, string, Task> Submit);

/// <summary>Every text field a person types into that reaches a Core service: the inventory of the suite.</summary>
public static class ServiceFields
{
    public static readonly IReadOnlyList<ServiceField> All =
    [
        new("New build: Project", "ProjectName", true, true,
            (s, v) => s.Commands.StartAsync(s.Alice, new NewBuildRequest(v, "Invoice export", BadInputScene.GoodRequirements))),
        new("New build: Title", "Title", true, true,
            (s, v) => s.Commands.StartAsync(s.Alice, new NewBuildRequest("Website", v, BadInputScene.GoodRequirements))),
        new("New build: Requirements", "Requirements", true, true,
            (s, v) => s.Commands.StartAsync(s.Alice, new NewBuildRequest("Website", "Invoice export", v))),
        new("Projects: New project name", "Name", true, true,
            (s, v) => s.Projects.CreateAsync(s.Alice, v)),
        new("Project members: Email", "Email", true, false,
            async (s, v) => await s.Projects.AddMemberAsync(s.Alice, s.AliceProject, await s.AliceProjectVersionAsync(), v, ProjectRole.Editor)),
        new("API tokens: Token name", "Name", true, true,
            (s, v) => s.Host.Get<IApiTokenService>().CreateAsync(s.Alice, v)),
        new("Decision bar: Reason for rejecting", "Reason", true, true,
            (s, v) => DecideAsync(s, new Verdict.Reject(v))),
        new("Decision bar: Reason for sending back", "Reason", true, true,
            (s, v) => DecideAsync(s, new Verdict.SendBack(Phase.Discovery, v))),
        new("Decision bar: Your version of the output", "EditedOutput", true, true,
            (s, v) => DecideAsync(s, new Verdict.Approve(v))),
        new("Build controls: Reason for cancelling", "Reason", true, true,
            async (s, v) => await s.Commands.CancelAsync(s.Alice, s.AliceBuild, (await s.AliceBuildAsync()).Version, v)),
        new("Prompts: New version text", "Text", true, true,
            async (s, v) => await s.Host.Get<IRolePromptService>().CreateVersionAsync(
                s.Admin, AiRole.CodeWriter, v, "Clearer instructions.", await s.LatestPromptVersionAsync(AiRole.CodeWriter))),
        new("Prompts: Why this change", "ChangeNote", true, true,
            async (s, v) => await s.Host.Get<IRolePromptService>().CreateVersionAsync(
                s.Admin, AiRole.CodeWriter, "You write C# code.", v, await s.LatestPromptVersionAsync(AiRole.CodeWriter))),
        new("Audit: Actor filter", "Actor", false, true,
            (s, v) => s.Host.Get<IAuditQueries>().GetPageAsync(s.Admin, new AuditPageRequest(new AuditFilter(Actor: v)))),
        new("Audit: Action filter", "Action", false, true,
            (s, v) => s.Host.Get<IAuditQueries>().GetPageAsync(s.Admin, new AuditPageRequest(new AuditFilter(Action: v)))),
        new("Audit: Export CSV filter", "Actor", false, true,
            (s, v) => Task.FromResult(s.Host.Get<IAuditExport>().Prepare(s.Admin, new AuditFilter(Actor: v)))),
        new("Users: Search by email", "Text", false, true,
            (s, v) => s.Host.Get<IUserAdminService>().SearchAsync(s.Admin, new UserSearch(v))),
    ];

    public static ServiceField Named(string name) => All.Single(f => f.Name == name);

    /// <summary>Every field with every value it must refuse.</summary>
    public static TheoryData<string, string> RefusedRows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var field in All)
        {
            var refused = BadText.AlwaysRefused
                .Concat(field.Required ? BadText.EmptyValues : [])
                .Concat(field.FreeText ? [] : BadText.Allowed);
            foreach (var value in refused)
            {
                rows.Add(field.Name, value);
            }
        }

        return rows;
    }

    private static async Task DecideAsync(BadInputScene s, Verdict verdict)
    {
        var build = await s.AliceBuildAsync();
        await s.Commands.DecideAsync(s.Alice, s.AliceBuild, build.CurrentRun!.Id, build.Version, verdict);
    }
}
