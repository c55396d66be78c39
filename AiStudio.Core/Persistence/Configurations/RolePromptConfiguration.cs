using AiStudio.Core.Roles;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AiStudio.Core.Persistence.Configurations;

internal sealed class RolePromptConfiguration : IEntityTypeConfiguration<RolePrompt>
{
    public void Configure(EntityTypeBuilder<RolePrompt> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Role).HasConversion<string>().HasMaxLength(30);
        builder.Property(p => p.Text).IsRequired();
        builder.Property(p => p.CreatedBy).HasMaxLength(256);
        builder.Property(p => p.ChangeNote).HasMaxLength(RolePrompt.ChangeNoteMaxLength);
        builder.HasIndex(p => new { p.Role, p.Version }).IsUnique();

        // At most one active version per role, whatever two admins do at once. [IsActive] = 1 reads the same
        // on SQL Server and SQLite (which accepts bracketed names).
        builder.HasIndex(p => p.Role).IsUnique().HasFilter("[IsActive] = 1").HasDatabaseName("IX_RolePrompts_Role_Active");
    }
}

internal sealed class ConversationMessageConfiguration : IEntityTypeConfiguration<ConversationMessage>
{
    public void Configure(EntityTypeBuilder<ConversationMessage> builder)
    {
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(30);
        builder.Property(m => m.Author).HasConversion<string>().HasMaxLength(20);
        builder.Property(m => m.Content).IsRequired();
        builder.HasIndex(m => new { m.PhaseRunId, m.Sequence }).IsUnique();
        builder.HasIndex(m => new { m.BuildId, m.Role });
    }
}
