//! (being moved here from api/src/routes)
