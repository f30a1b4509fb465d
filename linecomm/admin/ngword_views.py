"""The NG-word list: add, change, delete, import/export CSV, the shipped defaults, the test box, and
re-checking published content against a word just added."""
from __future__ import annotations

from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, url_for

from linecomm.admin import forms, security
from linecomm.admin.blueprint import bp, commit, db
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.moderation import ngwords, recheck
from linecomm.moderation.models import NgAction, NgWord
from linecomm.staff.roles import Permission

TEST_TEXT_MAX = 2000
IMPORT_BYTES_MAX = 512 * 1024


@bp.route("/ng-words", methods=["GET", "POST"])
@requires(Permission.NG_WORDS)
def ng_words() -> Any:
    if request.method == "POST":
        try:
            word = ngwords.add(db(), request.form.get("term", ""), request.form.get("action", ""),
                               request.form.get("note"), created_by=security.actor().email,
                               readings=request.form.get("readings"))
        except ngwords.NgWordError as exc:
            flash(str(exc), "error")
        else:
            audit.record(db(), security.actor(), "ngword.create", "ng_word", word.id,
                         after={"term": word.term, "action": word.action, "readings": word.readings})
            commit()
            flash(f"NGワード「{word.term}」を追加しました。", "info")
            # Offer to re-check what is already published (the page shows how many items it would move).
            return redirect(url_for("admin.ng_words", recheck=word.id), 303)
    text = request.args.get("text", "")[:TEST_TEXT_MAX]
    verdict = ngwords.check_text(db(), text) if text else None
    added = db().get(NgWord, forms.int_arg(request.args.get("recheck")) or 0)
    return render_template("admin/ng_words.html", words=ngwords.list_words(db()), actions=NgAction.ALL,
                           text=text, verdict=verdict, added=added,
                           affected=len(recheck.affected(db(), added)) if added else 0,
                           readings_of=ngwords.readings_of)


@bp.post("/ng-words/<int:word_id>/apply")
@requires(Permission.NG_WORDS)
def ng_word_apply(word_id: int) -> Any:
    """Apply an NG word to content published before it was added (hide, hold or queue it for review)."""
    word = forms.or_404(db().get(NgWord, word_id))
    moved = recheck.apply(db(), word, security.actor().staff_id)
    audit.record(db(), security.actor(), "ngword.apply", "ng_word", word.id,
                 after={"term": word.term, "action": word.action, "items": moved})
    commit()
    flash(f"「{word.term}」を公開中の投稿に適用しました（{moved}件）。", "info")
    return redirect(url_for("admin.ng_words"), 303)


@bp.get("/ng-words/test.json")
@requires(Permission.NG_WORDS)
def ng_words_test() -> Any:
    verdict = ngwords.check_text(db(), request.args.get("text", "")[:TEST_TEXT_MAX])
    return jsonify(action=verdict.action, label=ngwords.ACTION_LABELS.get(verdict.action or "", None),
                   matches=[{"term": m.term, "action": m.action, "label": ngwords.ACTION_LABELS[m.action]}
                            for m in verdict.matches])


@bp.post("/ng-words/<int:word_id>")
@requires(Permission.NG_WORDS)
def ng_word_update(word_id: int) -> Any:
    word = forms.or_404(db().get(NgWord, word_id))
    try:
        changes = ngwords.update(db(), word, request.form.get("action", ""), request.form.get("note"),
                                 readings=request.form.get("readings"))
    except ngwords.NgWordError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.ng_words"), 303)
    if changes:
        audit.record(db(), security.actor(), "ngword.update", "ng_word", word.id,
                     before={k: v[0] for k, v in changes.items()} | {"term": word.term},
                     after={k: v[1] for k, v in changes.items()} | {"term": word.term})
        commit()
        flash(f"NGワード「{word.term}」を変更しました。", "info")
    return redirect(url_for("admin.ng_words"), 303)


@bp.post("/ng-words/<int:word_id>/delete")
@requires(Permission.NG_WORDS)
def ng_word_delete(word_id: int) -> Any:
    word = forms.or_404(db().get(NgWord, word_id))
    before = {"term": word.term, "action": word.action}
    ngwords.delete(db(), word)
    audit.record(db(), security.actor(), "ngword.delete", "ng_word", word_id, before=before)
    commit()
    flash(f"NGワード「{before['term']}」を削除しました。", "info")
    return redirect(url_for("admin.ng_words"), 303)


@bp.post("/ng-words/import")
@requires(Permission.NG_WORDS)
def ng_words_import() -> Any:
    upload = request.files.get("file")
    if request.form.get("defaults"):
        text, source = ngwords.default_list_csv(), "defaults"
    elif upload is not None and upload.filename:
        raw = upload.read(IMPORT_BYTES_MAX + 1)
        if len(raw) > IMPORT_BYTES_MAX:
            flash("ファイルが大きすぎます（512KBまで）。", "error")
            return redirect(url_for("admin.ng_words"), 303)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp932")  # Excel in Japan saves CSV as Shift_JIS
            except UnicodeDecodeError:
                flash("ファイルの文字コードを読み取れませんでした（UTF-8 または Shift_JIS）。", "error")
                return redirect(url_for("admin.ng_words"), 303)
        source = upload.filename[:100]
    else:
        flash("CSVファイルを選んでください。", "error")
        return redirect(url_for("admin.ng_words"), 303)
    try:
        result = ngwords.import_csv(db(), text, created_by=security.actor().email,
                                    overwrite=source != "defaults")
    except ngwords.NgWordError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.ng_words"), 303)
    audit.record(db(), security.actor(), "ngword.import", "ng_word", None, after={
        "source": source, "added": result.added, "updated": result.updated, "errors": len(result.errors)})
    commit()
    flash(f"取り込みました：追加 {result.added}件、更新 {result.updated}件、変更なし {result.unchanged}件。", "info")
    for error in result.errors[:20]:
        flash(error, "error")
    return redirect(url_for("admin.ng_words"), 303)


@bp.get("/ng-words/export.csv")
@requires(Permission.NG_WORDS)
def ng_words_export() -> Any:
    return Response("\ufeff" + ngwords.export_csv(db()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=ng-words.csv"})
