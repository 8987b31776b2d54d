"""Japanese labels for field names and option values, as printed on the forms."""

from __future__ import annotations

import re
from datetime import date

from extractors.normalize import wareki
from extractors.template import FieldSpec, FieldType

FIELDS = {
    "submission_date": "申請日・届出日",
    "application_type": "申請区分",
    "change_type": "異動区分",
    "notification_type": "届出区分",
    "is_voluntary_continuation": "任意継続被保険者",
    "insured_symbol": "記号",
    "insured_number": "番号",
    "insured_my_number": "被保険者 個人番号",
    "insured_name_kana": "被保険者 フリガナ",
    "insured_name": "被保険者 氏名",
    "insured_birth_date": "被保険者 生年月日",
    "insured_sex": "被保険者 性別",
    "insured_postal_code": "郵便番号",
    "insured_phone": "電話番号（日中連絡先）",
    "insured_address": "住所",
    "reasons": "申請理由",
    "reason_other_text": "申請理由 その他",
    "reissue_count": "交付枚数",
    "fee_amount": "手数料額",
    "fee_transfer_date": "振込日",
    "employer_cert_date": "事業主 証明日",
    "employer_address": "事業所所在地",
    "employer_phone": "事業所 電話番号",
    "employer_name": "事業所名称",
    "employer_owner_name": "事業主氏名",
    "employer_confirmed": "事業主確認",
    "loss_cause": "滅失の事由",
    "loss_cause_other_text": "滅失の事由 その他",
    "loss_date": "滅失年月日",
    "loss_place": "滅失場所",
    "loss_circumstances": "滅失の状況",
    "police_reported": "警察への届出",
    "police_station": "届出先警察署",
    "police_report_date": "警察 届出年月日",
    "police_receipt_number": "受理番号",
    "myna_hokensho_confirmed": "マイナ保険証利用の確認",
    "change_kinds": "変更区分",
    "target_type": "変更する方",
    "dependent_name_kana": "被扶養者 フリガナ",
    "dependent_name": "被扶養者 氏名",
    "dependent_birth_date": "被扶養者 生年月日",
    "dependent_relationship": "被扶養者 続柄",
    "name_old_kana": "変更前 フリガナ",
    "name_old": "変更前 氏名",
    "name_new_kana": "変更後 フリガナ",
    "name_new": "変更後 氏名",
    "name_change_date": "氏名 変更年月日",
    "name_change_reason": "氏名 変更理由",
    "name_change_reason_other": "変更理由 その他",
    "address_old_postal_code": "変更前 郵便番号",
    "address_old": "変更前 住所",
    "address_new_postal_code": "変更後 郵便番号",
    "address_new": "変更後 住所",
    "address_change_date": "住所 変更年月日",
    "dependent_living_after": "変更後の同居・別居",
    "attachments": "添付書類",
    "attachments_other_text": "添付書類 その他",
    "no_certificate_issued": "資格確認書の交付を受けていない",
    "remarks": "備考",
}
ROW_FIELDS = {
    "type": "区分",
    "name_kana": "フリガナ",
    "name": "氏名",
    "birth_date": "生年月日",
    "sex": "性別",
    "relationship": "続柄",
    "my_number": "個人番号",
    "change_date": "異動年月日",
    "change_reason": "異動理由",
    "occupation": "職業",
    "annual_income": "年間収入",
    "living": "同居・別居",
    "certificate_required": "資格確認書発行要否",
}
ROWS = {"target": "交付対象者", "dep": "被扶養者"}
OPTIONS = {
    "new": "新規交付",
    "reissue": "再交付",
    "male": "男",
    "female": "女",
    "insured": "被保険者本人",
    "dependent": "被扶養者",
    "add": "増",
    "remove": "減",
    "together": "同居",
    "apart": "別居",
    "yes": "届出済",
    "no": "届出していない",
    "use_myna": "再交付を希望しない（マイナ保険証を利用）",
    "after_loss_of_eligibility": "資格喪失により返納できない",
    "lost": "紛失",
    "stolen": "盗難",
    "burned": "焼失・災害",
    "other": "その他",
    "marriage": "婚姻",
    "divorce": "離婚",
    "adoption": "養子縁組・離縁",
    "address": "住所",
    "name": "氏名",
    "no_card": "1 カード未取得",
    "card_returned": "2 返納した",
    "not_registered": "3 利用登録なし",
    "cert_expired": "4 電子証明書期限切れ",
    "card_lost_or_renewing": "5 紛失・更新中",
    "needs_assistance": "6 要配慮者",
    "certificate_lost": "7 資格確認書を紛失等",
    "certificate_damaged": "8 資格確認書を毀損",
    "certificate": "資格確認書",
    "marriage_cert": "婚姻届受理済証明書",
    "koseki": "戸籍抄本",
    "juminhyo": "住民票の写し",
}


def field_label(name: str, printed: str = "") -> str:
    """A field's Japanese label: the label printed on the form (``printed``, from its
    template: an onboarded form's admin named it so, and a field called ``insured_number``
    there is its 「整理番号」, not our 「番号」), else ours for the society's forms (their
    templates carry no labels), the id only when there is neither."""
    if printed:
        return printed
    if name in FIELDS:
        return FIELDS[name]
    match = re.fullmatch(r"(target|dep)(\d)_(.+)", name)
    if match and match.group(3) in ROW_FIELDS:
        return f"{ROWS[match.group(1)]}{match.group(2)} {ROW_FIELDS[match.group(3)]}"
    return name


def option_label(value: str, spec: FieldSpec | None = None) -> str:
    """An option's value as a person reads it: the label its template prints for it
    (``option_labels``: an onboarded form's 「新規」 for ``shinki``), else ours for the
    society's forms, else the value itself."""
    return (spec.option_label(value) if spec is not None else "") or OPTIONS.get(value, value)


DECISIONS = {
    "issue_via_employer": "交付（事業主経由）",
    "issue_to_home": "交付（自宅へ送付）",
    "reissue_pending_fee": "入金確認後に再交付",
    "reissue": "再交付",
    "no_issue": "交付なし",
    "update_record": "記録の更新",
    "withdraw": "回収・無効処理",
    "refuse": "交付しない",
    "needs_documents": "書類の追加が必要",
}


def value_label(value: object, name: str = "", spec: FieldSpec | None = None) -> str:
    """A canonical value as a clerk reads it: options in Japanese (as the field's template
    ``spec`` prints them, when given), lists joined, ticks as ✓, a date in 和暦 with the ISO
    date beside, a 郵便番号 (``name``) as 〒123-4567. With ``spec``, only a choice's or a
    group's values are options (a text that happens to read ``other`` stays as written)."""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, list):
        return "、".join(option_label(str(v), spec) for v in value)
    if not isinstance(value, str):
        return str(value)
    plain = _plain_label(value, name)
    if plain != value or (spec is not None and spec.type not in (FieldType.CHOICE, FieldType.CHECKBOX_GROUP)):
        return plain
    return option_label(value, spec)


def _plain_label(value: str, name: str) -> str:
    """A value that is no option: a 郵便番号 with its 〒, a date in 和暦, else as written."""
    if name.endswith(("postal_code", "postcode")) and re.fullmatch(r"\d{7}", value):
        return f"〒{value[:3]}-{value[3:]}"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        try:
            return f"{wareki(date.fromisoformat(value))}（{value}）"
        except ValueError:
            return value
    return value


def decision_label(kind: str) -> str:
    return DECISIONS.get(kind, kind)


#: The audit log's actions in Japanese (an action not listed is shown by its code).
ACTION_LABELS = {
    "login": "ログイン",
    "login_failed": "ログイン失敗",
    "login_locked": "ログイン制限",
    "login_disabled": "無効な利用者のログイン",
    "logout": "ログアウト",
    "password_changed": "パスワード変更",
    "password_change_failed": "パスワード変更失敗",
    "password_change_locked": "パスワード変更制限",
    "password_reset": "パスワード再発行",
    "user_added": "利用者追加",
    "user_disabled": "利用者無効化",
    "user_enabled": "利用者有効化",
    "sessions_revoked": "セッション失効",
    "my_number_clerk_set": "事務取扱担当者に指定",
    "my_number_clerk_unset": "事務取扱担当者の指定解除",
    "apikey_created": "APIキー発行",
    "apikey_revoked": "APIキー失効",
    "task_viewed": "書類を開いた",
    "task_seen": "確認時間（表示中）",
    "field_confirmed": "項目の確認",
    "claim_released": "確認を中断",
    "claim_expired": "放置された確認を引継ぎ",
    "claim_taken_over": "確認の引継ぎ",
    "task_reviewed": "確認（承認待ちへ）",
    "task_approved": "承認・確定",
    "approval_returned": "確認者へ差し戻し",
    "task_rejected": "差戻し",
    "form_chosen": "様式を指定して読み直し",
    "record_viewed": "記録の閲覧",
    "record_reopened": "承認後の訂正開始",
    "record_reopen_cancelled": "承認後の訂正の取消",
    "record_exported": "記録の出力（API）",
    "approvals_viewed": "承認待ち一覧の閲覧",
    "my_number_revealed": "個人番号の表示",
    "my_number_reveal_refused": "個人番号の表示（拒否）",
    "document_failed": "処理エラー",
    "document_retried": "再処理",
    "intake_error_acknowledged": "受付エラーの確認",
    "audit_exported": "操作記録のCSV出力",
    "form_promoted": "様式を本番に切替",
    "form_promotion_refused": "様式の本番切替（拒否）",
    "form_demoted": "様式を試行に戻す",
    "form_demotion_refused": "様式を試行に戻す（拒否）",
}

#: The keys of an audit event's details in Japanese.
DETAIL_LABELS = {
    "task": "タスク",
    "record": "記録",
    "reason": "理由",
    "field": "項目",
    "form": "様式",
    "ms": "表示時間(ミリ秒)",
    "user": "利用者",
    "role": "役割",
    "client": "接続元",
    "from": "元の担当者",
    "former": "元の担当者",
    "corrected": "訂正項目",
    "changed": "変更項目",
    "status": "状態",
    "decision": "判定",
    "supersedes": "取消した判定",
    "key": "APIキー",
    "scopes": "権限",
    "page": "ページ",
    "rows": "件数",
    "filter": "絞り込み",
    "form_id": "様式ID",
    "form_version": "版",
    "pages_reviewed": "確認済みページ",
    "fields_reviewed": "確認した項目",
    "fields_corrected": "訂正された項目",
    "scope": "確認の範囲",
    "form_index": "書類内の様式番号",
}


def action_label(action: str) -> str:
    """An audit action in Japanese (its code when it has no label)."""
    return ACTION_LABELS.get(action, action)


def detail_text(detail: object) -> str:
    """An audit event's details as a line a person reads: ``項目: 値`` pairs, field names by
    their labels."""
    if not isinstance(detail, dict):
        return "" if detail is None else str(detail)
    parts = []
    for key, value in detail.items():
        if key in ("corrected", "changed", "unseen") and isinstance(value, list):
            shown = "、".join(field_label(str(v)) for v in value) or "なし"
        elif key == "field" and isinstance(value, str):
            shown = field_label(value)
        elif isinstance(value, list):
            shown = "、".join(str(v) for v in value)
        else:
            shown = "—" if value is None else str(value)
        parts.append(f"{DETAIL_LABELS.get(str(key), str(key))}: {shown}")
    return "　".join(parts)
