pub async fn load(_db: &sea_orm::DatabaseConnection) -> Result<(), String> {
    Ok(())
}
