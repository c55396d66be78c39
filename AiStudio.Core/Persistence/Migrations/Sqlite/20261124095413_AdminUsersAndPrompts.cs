using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiStudio.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AdminUsersAndPrompts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CreatedAt",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastSignInAt",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: true);

            // Before the one-active-per-role index: keep only the highest active version of each role active.
            migrationBuilder.Sql(
                "UPDATE RolePrompts SET IsActive = 0 WHERE IsActive = 1 AND EXISTS "
                + "(SELECT 1 FROM RolePrompts AS newer WHERE newer.Role = RolePrompts.Role AND newer.IsActive = 1 AND newer.Version > RolePrompts.Version)");

            migrationBuilder.CreateIndex(
                name: "IX_RolePrompts_Role_Active",
                table: "RolePrompts",
                column: "Role",
                unique: true,
                filter: "[IsActive] = 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RolePrompts_Role_Active",
                table: "RolePrompts");

            migrationBuilder.DropColumn(
                name: "CreatedAt",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "LastSignInAt",
                table: "AspNetUsers");
        }
    }
}
