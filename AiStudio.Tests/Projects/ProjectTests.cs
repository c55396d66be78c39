using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Projects;

namespace AiStudio.Tests.Projects;

public sealed class ProjectTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_NameWithSpaces_TrimsAndMakesTheCreatorItsOnlyOwner()
    {
        var project = Project.Create("  Billing  ", "owner-1", Now);

        Assert.Equal(("Billing", "owner-1", 0), (project.Name, project.CreatedBy, project.Version));
        var member = Assert.Single(project.Members);
        Assert.Equal(("owner-1", ProjectRole.Owner), (member.UserId, member.Role));
        Assert.Equal(ApprovalRules.Single, project.ApprovalRules);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData("Bill\u0007ing", "control characters")]
    [InlineData("Bill\ning", "control characters")]
    public void Create_InvalidName_ThrowsNamingTheField(string name, string message)
    {
        var error = Assert.Throws<InputValidationException>(() => Project.Create(name, "owner-1", Now));

        Assert.Contains(message, Assert.Single(error.Errors["Name"]));
    }

    [Fact]
    public void Create_NameLongerThanMaximum_Throws()
    {
        Assert.Throws<InputValidationException>(() => Project.Create(new string('n', Project.NameMaxLength + 1), "owner-1", Now));

        Assert.Equal(Project.NameMaxLength, Project.Create(new string('n', Project.NameMaxLength), "owner-1", Now).Name.Length);
    }

    [Fact]
    public void AddMember_NewPerson_AddsWithRoleAndBumpsVersion()
    {
        var project = Project.Create("Billing", "owner-1", Now);

        project.AddMember("editor-1", ProjectRole.Editor, Now.AddMinutes(1));

        Assert.Equal(ProjectRole.Editor, project.RoleOf("editor-1"));
        Assert.Equal(Now.AddMinutes(1), project.Members.Single(m => m.UserId == "editor-1").AddedAt);
        Assert.Equal(1, project.Version);
    }

    [Fact]
    public void AddMember_AlreadyAMember_ThrowsAndKeepsTheirRole()
    {
        var project = Project.Create("Billing", "owner-1", Now);
        project.AddMember("viewer-1", ProjectRole.Viewer, Now);

        var error = Assert.Throws<DomainException>(() => project.AddMember("viewer-1", ProjectRole.Owner, Now));

        Assert.Contains("already a member of Billing, as viewer", error.Message);
        Assert.Equal(ProjectRole.Viewer, project.RoleOf("viewer-1"));
        Assert.Equal((2, 1), (project.Members.Count, project.Version));
    }

    [Fact]
    public void AddMember_UndefinedRole_ThrowsValidation()
    {
        var project = Project.Create("Billing", "owner-1", Now);

        Assert.Throws<InputValidationException>(() => project.AddMember("x", (ProjectRole)42, Now));

        Assert.Single(project.Members);
    }

    [Theory]
    [InlineData(ProjectRole.Editor)]
    [InlineData(ProjectRole.Viewer)]
    public void ChangeRole_LastOwner_ThrowsAndStaysOwner(ProjectRole role)
    {
        var project = Project.Create("Billing", "owner-1", Now);
        project.AddMember("editor-1", ProjectRole.Editor, Now);

        var error = Assert.Throws<DomainException>(() => project.ChangeRole("owner-1", role, Now));

        Assert.Equal("Billing must keep at least one owner: make someone else an owner before you make them "
            + (role == ProjectRole.Editor ? "an editor." : "a viewer."), error.Message);
        Assert.Equal(ProjectRole.Owner, project.RoleOf("owner-1"));
        Assert.Equal(1, project.Version);
    }

    [Fact]
    public void ChangeRole_OwnerWhenAnotherOwnerExists_Demotes()
    {
        var project = Project.Create("Billing", "owner-1", Now);
        project.AddMember("owner-2", ProjectRole.Owner, Now);

        var before = project.ChangeRole("owner-1", ProjectRole.Viewer, Now);

        Assert.Equal(ProjectRole.Owner, before);
        Assert.Equal(ProjectRole.Viewer, project.RoleOf("owner-1"));
        Assert.Equal(2, project.Version);
    }

    [Fact]
    public void ChangeRole_SameRole_ChangesNothing()
    {
        var project = Project.Create("Billing", "owner-1", Now);

        Assert.Equal(ProjectRole.Owner, project.ChangeRole("owner-1", ProjectRole.Owner, Now));

        Assert.Equal(0, project.Version);
    }

    [Fact]
    public void ChangeRole_NotAMember_ThrowsNotFound()
    {
        var project = Project.Create("Billing", "owner-1", Now);

        Assert.Throws<NotFoundException>(() => project.ChangeRole("stranger", ProjectRole.Editor, Now));
    }

    [Fact]
    public void RemoveMember_LastOwner_ThrowsAndKeepsThem()
    {
        var project = Project.Create("Billing", "owner-1", Now);
        project.AddMember("editor-1", ProjectRole.Editor, Now);

        var error = Assert.Throws<DomainException>(() => project.RemoveMember("owner-1", Now));

        Assert.Contains("must keep at least one owner", error.Message);
        Assert.Equal(2, project.Members.Count);
    }

    [Fact]
    public void RemoveMember_EditorOrSecondOwner_Removes()
    {
        var project = Project.Create("Billing", "owner-1", Now);
        project.AddMember("owner-2", ProjectRole.Owner, Now);
        project.AddMember("editor-1", ProjectRole.Editor, Now);

        project.RemoveMember("editor-1", Now);
        project.RemoveMember("owner-1", Now);

        Assert.Equal(["owner-2"], project.Members.Select(m => m.UserId));
        Assert.Equal(4, project.Version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(-1)]
    public void UpdateApprovalRules_ApprovalsOutOfRange_ThrowsAndKeepsRules(int approvals)
    {
        var project = Project.Create("Billing", "owner-1", Now);

        var error = Assert.Throws<InputValidationException>(() => project.UpdateApprovalRules(new ApprovalRules(true, approvals), Now));

        Assert.Equal("Approvals needed per phase must be between 1 and 5.", Assert.Single(error.Errors["RequiredApprovals"]));
        Assert.Equal((ApprovalRules.Single, 0), (project.ApprovalRules, project.Version));
    }

    [Fact]
    public void UpdateApprovalRules_NewRules_StoresThemAndReturnsTheOldOnes()
    {
        var project = Project.Create("Billing", "owner-1", Now);

        var before = project.UpdateApprovalRules(new ApprovalRules(true, 5), Now);

        Assert.Equal(ApprovalRules.Single, before);
        Assert.Equal((true, 5, 1), (project.RequireSeparateApprover, project.RequiredApprovals, project.Version));
    }
}
