using AiStudio.Core.Builds;
using AiStudio.Core.Common;

namespace AiStudio.Core.Projects;

/// <summary>A team's space: builds belong to a project and are seen only by its members.</summary>
public sealed class Project
{
    public const int NameMaxLength = 100;

    private readonly List<ProjectMember> _members = [];

    private Project() { }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";

    /// <summary>Who created it: a person's project names are unique among the projects they created.</summary>
    public string CreatedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The person who started a build may not approve its phases.</summary>
    public bool RequireSeparateApprover { get; private set; }

    /// <summary>How many different people must approve an attempt before its phase advances.</summary>
    public int RequiredApprovals { get; private set; } = ApprovalRules.MinApprovals;

    /// <summary>App-set concurrency token, bumped on every change: SQLite has no rowversion.</summary>
    public int Version { get; private set; }

    public IReadOnlyList<ProjectMember> Members => _members;

    public ApprovalRules ApprovalRules => new(RequireSeparateApprover, RequiredApprovals);

    public static Project Create(string name, string ownerId, DateTimeOffset now)
    {
        var project = new Project
        {
            Id = Guid.NewGuid(),
            Name = ProjectName.Validate(name),
            CreatedBy = ownerId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        project._members.Add(new ProjectMember(project.Id, ownerId, ProjectRole.Owner, now));
        return project;
    }

    public ProjectRole? RoleOf(string userId) => _members.SingleOrDefault(m => m.UserId == userId)?.Role;

    public ProjectMember AddMember(string userId, ProjectRole role, DateTimeOffset now)
    {
        EnsureDefined(role);
        if (RoleOf(userId) is { } existing)
        {
            throw new DomainException($"That person is already a member of {Name}, as {existing.ToString().ToLowerInvariant()}; change their role instead.");
        }

        var member = new ProjectMember(Id, userId, role, now);
        _members.Add(member);
        Touch(now);
        return member;
    }

    /// <returns>The member's role before the change.</returns>
    public ProjectRole ChangeRole(string userId, ProjectRole role, DateTimeOffset now)
    {
        EnsureDefined(role);
        var member = Member(userId);
        var before = member.Role;
        if (before == role)
        {
            return before;
        }

        if (before == ProjectRole.Owner)
        {
            EnsureAnotherOwner(member, $"make them {Article(role)} {role.ToString().ToLowerInvariant()}");
        }

        member.ChangeRole(role);
        Touch(now);
        return before;
    }

    public ProjectMember RemoveMember(string userId, DateTimeOffset now)
    {
        var member = Member(userId);
        if (member.Role == ProjectRole.Owner)
        {
            EnsureAnotherOwner(member, "remove them");
        }

        _members.Remove(member);
        Touch(now);
        return member;
    }

    /// <returns>The rules before the change.</returns>
    public ApprovalRules UpdateApprovalRules(ApprovalRules rules, DateTimeOffset now)
    {
        rules.EnsureValid();
        var before = ApprovalRules;
        if (before == rules)
        {
            return before;
        }

        RequireSeparateApprover = rules.RequireSeparateApprover;
        RequiredApprovals = rules.RequiredApprovals;
        Touch(now);
        return before;
    }

    private ProjectMember Member(string userId) =>
        _members.SingleOrDefault(m => m.UserId == userId) ?? throw new NotFoundException("That member");

    private void EnsureAnotherOwner(ProjectMember member, string move)
    {
        if (!_members.Any(m => m != member && m.Role == ProjectRole.Owner))
        {
            throw new DomainException($"{Name} must keep at least one owner: make someone else an owner before you {move}.");
        }
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }

    private static void EnsureDefined(ProjectRole role)
    {
        if (!Enum.IsDefined(role))
        {
            throw new InputValidationException(new Dictionary<string, string[]> { ["Role"] = ["Role must be Owner, Editor or Viewer."] });
        }
    }

    private static string Article(ProjectRole role) => role == ProjectRole.Editor ? "an" : "a";
}
