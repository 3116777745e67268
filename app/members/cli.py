"""flask --app wsgi members import|export."""
import os
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.common.xlsx import ImportFailed
from app.extensions import db

members_cli = AppGroup("members", help="Import and export the member roster (人员名册).")


@members_cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--create-units", is_flag=True, help="Create units and branches (支部) the file names but the database lacks.")
@click.option("--passwords", "password_mode", type=click.Choice(["mobile", "random"]), default="mobile",
              show_default=True, help="Initial password of NEW members: last six digits of the mobile, or random.")
@click.option("--passwords-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the random initial passwords (.xlsx); required with --passwords random.")
def import_command(source: Path, create_units: bool, password_mode: str, passwords_out: Path | None) -> None:
    """Import the roster from SOURCE (.xlsx). All-or-nothing: any problem imports nothing (exit code 1)."""
    from app.members.exports import password_sheet
    from app.members.importing import import_roster

    if password_mode == "random":
        if passwords_out is None:
            raise click.UsageError("--passwords random needs --passwords-out FILE.xlsx for the new passwords")
        if not passwords_out.parent.resolve().is_dir():
            raise click.UsageError(f"folder does not exist: {passwords_out.parent}")
    try:
        result = import_roster(source.read_bytes(), create_units=create_units, password_mode=password_mode,
                               filename=source.name)
        if result.passwords:
            # Written before the commit: if the sheet cannot be written, no account gets a lost password.
            _write_private(passwords_out, password_sheet(result.passwords))
        db.session.commit()
    except ImportFailed as failure:
        db.session.rollback()
        click.echo(f"没有导入任何数据：发现 {len(failure.problems)} 个问题。", err=True)
        for problem in failure.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    except IntegrityError:
        db.session.rollback()
        click.echo("没有导入任何数据：名册在导入时被同时修改，请重试。", err=True)
        raise SystemExit(1) from None
    except OSError as error:
        db.session.rollback()
        click.echo(f"没有导入任何数据：无法写入密码表 {passwords_out}：{error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"导入完成：新增 {result.created} 人，更新 {result.updated} 人，未变 {result.unchanged} 人。")
    if result.units_created:
        click.echo(f"新建单位 {len(result.units_created)} 个：{'、'.join(result.units_created)}")
    if result.branches_created:
        click.echo(f"新建支部 {len(result.branches_created)} 个：{'、'.join(result.branches_created)}")
    if result.groups_created:
        click.echo(f"新建党小组 {len(result.groups_created)} 个：{'、'.join(result.groups_created)}")
    if result.passwords:
        click.echo(f"{len(result.passwords)} 个初始密码已写入 {passwords_out}（请妥善保管，分发后删除）。")
    elif result.created:
        click.echo("新成员的初始密码为手机号后六位，首次登录须修改密码。")


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


@members_cli.command("export")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def export_command(target: Path) -> None:
    """Write every roster member to TARGET (.xlsx) in the import template's columns."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.members.exports import roster_workbook

    member_ids = sa.select(User.id).where(User.unit_id.is_not(None))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(member_ids.subquery()))
    target.write_bytes(roster_workbook(member_ids))
    click.echo(f"已导出 {count} 人到 {target}（“状态”列注明在册或已停用）。")
