"""Arabic wording for what the engine says in English (notices and errors), in one place."""

from __future__ import annotations

#: Engine notices (``Results.notices``) by their English text's start.
NOTICES = {
    "The query has only very common words": "كلمات البحث شائعة جدًا (مثل «في» و«من») أو علامات ترقيم "
                                            "فقط؛ أضف كلمة أدق.",
    "Type some words to search for": "اكتب كلمة أو أكثر للبحث.",
}

NOTHING_TO_SEARCH = ("لا يحوي نص البحث كلمات يمكن البحث عنها: فيه علامات ترقيم أو كلمات شائعة جدًا "
                     "(مثل «في» و«من») فقط. اكتب كلمة أدق.")
EMPTY_QUERY = "اكتب كلمة أو أكثر للبحث (المعامل q)."
BAD_REQUEST = "تعذّر تنفيذ البحث كما طُلب."
NOT_FOUND = "الصفحة المطلوبة غير موجودة."
ARTICLE_NOT_FOUND = "لا يوجد في الأرشيف مقال بهذا المعرّف."
NOT_ALLOWED = "هذه الطريقة في الطلب غير مسموح بها هنا."
TOO_LARGE = "الطلب أكبر من المسموح به: لا يقبل أرشيف إلا طلبات بحث بلا محتوى مرفق."
URL_TOO_LONG = "عنوان الطلب أطول من المسموح به. اختصر نص البحث."
SERVER_ERROR = "حدث خطأ غير متوقع في الخادم. أعد المحاولة بعد قليل."
INDEX_MISSING = ("فهرس البحث غير موجود أو تالف، فلا يمكن البحث الآن. "
                 "ابنِ الفهرس بالأمر: arshif reindex")


def notice(text: str) -> str:
    """An engine notice in Arabic (unknown notices are shown as they are)."""
    for start, arabic in NOTICES.items():
        if text.startswith(start):
            return arabic
    return text
